package io.tokendiscovery.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokendiscovery.MutableClock;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.cache.TokenStore;
import io.tokendiscovery.ingest.FeedEvent.TokenMigrated;
import io.tokendiscovery.ingest.FeedEvent.TokenTraded;
import io.tokendiscovery.ingest.TestFrames;
import io.tokendiscovery.ingest.TokenPricing;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * The periodic jobs against real Redis and PostgreSQL with a clock the test moves: hot scores decay by the
 * half-life and only moved rows are rewritten; the state machine follows trades, progress, migrations and
 * inactivity, in Redis and for PostgreSQL-only rows; watched tokens get no TTL. The moved clock is the application's
 * only: Redis TTLs keep running on the real clock, so no key expires here (real expiry: CacheExpiryTest).
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.pricing.sol-usd=100",
    "tokendiscovery.hot.half-life=30m",
    "tokendiscovery.hot.trade-weight-usd=5"
})
@ActiveProfiles("test")
@Import(PeriodicJobsTest.Clocks.class)
class PeriodicJobsTest {

    @TestConfiguration
    static class Clocks {
        @Bean
        @Primary
        MutableClock testClock() {
            return new MutableClock(Instant.now());
        }
    }

    private static final AtomicLong SALT = new AtomicLong(70_000);

    @Autowired MutableClock clock;
    @Autowired TokenPricing pricing;
    @Autowired TokenStore store;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired JdbcTemplate jdbc;
    @Autowired ProducerTemplate producer;
    private final AtomicLong signatures = new AtomicLong();
    private final AtomicLong seq = new AtomicLong();
    private final long salt = SALT.addAndGet(1000);

    private String mint(int i) {
        return TestFrames.key32(i, salt);
    }

    private void trade(String mint, double sol, double vTokens) {
        double vSol = 30 * 1_073_000_000d / vTokens;
        store.applyAndMarkDirty(pricing.trade(new TokenTraded(TestFrames.signature(signatures.incrementAndGet(), salt),
                mint, null, true, 1000, sol, vSol, vTokens, null, "pump",
                clock.millis() * 1000 + seq.incrementAndGet(), clock.millis())));
    }

    private void trades(String mint, int n, double sol) {
        for (int i = 0; i < n; i++) {
            trade(mint, sol, 1_000_000_000d);
        }
    }

    private void run(String endpoint) {
        producer.requestBody(endpoint, (Object) null);
    }

    private double hotScore(String mint) {
        return jdbc.queryForObject("SELECT hot_score FROM token_discovery WHERE mint = ?", BigDecimal.class, mint)
                .doubleValue();
    }

    private String state(String mint) {
        return jdbc.queryForObject("SELECT state FROM token_discovery WHERE mint = ?", String.class, mint);
    }

    @Test
    void hotScoresDecayByTheHalfLifeAndOnlyMovedRowsAreRewritten() {
        String busy = mint(1);
        String quiet = mint(2);
        trades(busy, 10, 1.0);    // 10 x (100 USD + 5)
        trades(quiet, 10, 0.01);  // 10 x (1 USD + 5)
        run("direct:redis-to-db-sync");
        run("direct:hot-scores");
        assertThat(hotScore(busy)).isCloseTo(1050, within(0.01));
        assertThat(hotScore(quiet)).isCloseTo(60, within(0.01));
        List<String> feed = List.copyOf(redis.opsForZSet().reverseRange(keys.hotFeed(), 0, -1));
        assertThat(feed.indexOf(busy)).isLessThan(feed.indexOf(quiet));

        clock.advance(Duration.ofMinutes(30));
        run("direct:hot-scores");
        assertThat(hotScore(busy)).isCloseTo(525, within(0.01));
        assertThat(hotScore(quiet)).isCloseTo(30, within(0.01));

        String xmin = jdbc.queryForObject("SELECT xmin::text FROM token_discovery WHERE mint = ?", String.class, busy);
        run("direct:hot-scores");   // nothing moved: no row is rewritten
        assertThat(jdbc.queryForObject("SELECT xmin::text FROM token_discovery WHERE mint = ?", String.class, busy))
                .isEqualTo(xmin);
    }

    @Test
    void statesFollowTradesProgressMigrationsAndInactivity() {
        String fresh = mint(1);
        String active = mint(2);
        String graduating = mint(3);
        String migrated = mint(4);
        String watched = mint(5);
        trades(fresh, 1, 0.001);
        trades(active, 10, 0.001);
        for (int i = 0; i < 10; i++) {
            trade(graduating, 0.001, 279_900_000d + 0.05 * 793_100_000d);   // 95 % progress
        }
        trades(migrated, 10, 0.001);
        store.applyAndMarkDirty(pricing.migrate(new TokenMigrated(TestFrames.signature(999, salt), migrated, "pump-amm",
                clock.millis() * 1000 + seq.incrementAndGet(), clock.millis())));
        trades(watched, 1, 0.001);
        jdbc.update("INSERT INTO token_watch (mint, watcher) VALUES (?, 'bob')", watched);
        String pgOnly = mint(6);
        jdbc.update("""
                INSERT INTO token_discovery (mint, state, first_seen_at, last_trade_ts, last_updated_at, version)
                VALUES (?, 'ACTIVE', now() - interval '2 days', to_timestamp(? / 1000.0) - interval '7 hours', now(), 1)
                """, pgOnly, clock.millis());

        run("direct:watch-list-sync");
        run("direct:market-data");
        run("direct:redis-to-db-sync");
        assertThat(state(active)).isEqualTo("ACTIVE");
        assertThat(state(graduating)).isEqualTo("GRADUATING");
        assertThat(state(migrated)).isEqualTo("MIGRATED");
        assertThat(state(watched)).isEqualTo("NEW");
        assertThat(state(pgOnly)).isEqualTo("STALE");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM token_discovery WHERE mint = ?", Integer.class, fresh))
                .as("lazy persistence").isZero();
        assertThat(redis.opsForZSet().score(keys.graduatingFeed(), graduating)).isCloseTo(95, within(1e-6));
        assertThat(redis.opsForZSet().score(keys.graduatingFeed(), migrated)).isNull();
        assertThat(redis.getExpire(keys.token(watched))).as("watched tokens never expire").isEqualTo(-1);
        assertThat(redis.getExpire(keys.token(active))).isPositive();

        // The test clock moves what the application reads (inactivity, hot-score decay), NOT Redis's TTLs: those run
        // on Redis's real clock, so the hashes are still cached after these "7 hours". This checks the state machine
        // on inactivity; a hash that really expired and then trades again is CacheExpiryTest (real, short TTLs).
        clock.advance(Duration.ofHours(7));
        run("direct:market-data");
        run("direct:redis-to-db-sync");
        assertThat(state(active)).isEqualTo("STALE");
        assertThat(state(graduating)).isEqualTo("GRADUATING");
        assertThat(state(migrated)).isEqualTo("MIGRATED");
        assertThat(state(watched)).isEqualTo("STALE");

        // A frame received 60 s before the job marked the token STALE, but 7 h after its last price: newer than the
        // stored price, older than the job's state change. The job's change carries no price, so it must not have
        // moved the token's sequence: this frame's price applies.
        String priceBefore = (String) redis.opsForHash().get(keys.token(active), "price_sol");
        long receivedBeforeTheJob = (clock.millis() - 60_000) * 1000;
        store.applyAndMarkDirty(pricing.trade(new TokenTraded(TestFrames.signature(4242, salt), active, null, true, 1000,
                0.001, 77.0, 30 * 1_073_000_000d / 77.0, null, "pump", receivedBeforeTheJob, clock.millis())));
        String newerPrice = (String) redis.opsForHash().get(keys.token(active), "price_sol");
        assertThat(newerPrice).isNotEqualTo(priceBefore);
        assertThat(Double.parseDouble(newerPrice)).isEqualTo(77.0 / (30 * 1_073_000_000d / 77.0));

        // A frame really OLDER than the stored price (received 8 h ago, delivered now): counted, price unchanged.
        String countBefore = (String) redis.opsForHash().get(keys.token(active), "trade_count");
        long olderThanTheStoredPrice = (clock.millis() - Duration.ofHours(8).toMillis()) * 1000;
        store.applyAndMarkDirty(pricing.trade(new TokenTraded(TestFrames.signature(4243, salt), active, null, true, 1000,
                0.001, 33.0, 30 * 1_073_000_000d / 33.0, null, "pump", olderThanTheStoredPrice, clock.millis())));
        assertThat(redis.opsForHash().get(keys.token(active), "price_sol")).isEqualTo(newerPrice);
        assertThat(redis.opsForHash().get(keys.token(active), "trade_count"))
                .isEqualTo(Long.toString(Long.parseLong(countBefore) + 1));

        trades(active, 1, 0.001);   // trading again
        run("direct:market-data");
        run("direct:redis-to-db-sync");
        assertThat(state(active)).isEqualTo("ACTIVE");
    }
}
