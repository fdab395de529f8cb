package io.tokendiscovery.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.cache.TokenStore;
import io.tokendiscovery.ingest.FeedEvent.TokenCreated;
import io.tokendiscovery.ingest.FeedEvent.TokenMigrated;
import io.tokendiscovery.ingest.FeedEvent.TokenTraded;
import io.tokendiscovery.ingest.ReceiveClock;
import io.tokendiscovery.ingest.TestFrames;
import io.tokendiscovery.ingest.TokenPricing;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * Totals are totals over a token's whole life, whatever expired in Redis meanwhile (docs/write-behind.md, "Cache
 * expiry"). Real Redis TTLs on the real clock, compressed: the token hash lives 1 s after its commit and its retained
 * state 6 s. Each case lets the keys really expire (read from Redis, no fake clock), then touches the token again
 * through the ingest's own pricing and Lua script, syncs, and reads the row.
 *
 * <p>Run against the code before the fix (commit 5d0129d, the retained-state checks left out): all four fail. The
 * migration wrote trade_count 53 -> 0; the hash rebuilt after expiry held 3 trades instead of 15; the late-threshold
 * token got no row (5 trades counted instead of 11, under the threshold); the watched token got no row.
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.pricing.sol-usd=100",
    "tokendiscovery.redis.token-ttl=1s",
    "tokendiscovery.redis.price-tick-ttl=1s",
    "tokendiscovery.redis.retained-state-ttl=6s"
})
@ActiveProfiles("test")
class CacheExpiryTest {

    private static final AtomicLong SALT = new AtomicLong(70_000);
    private static final Duration EXPIRY = Duration.ofSeconds(30);

    @Autowired TokenPricing pricing;
    @Autowired TokenStore store;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired JdbcTemplate jdbc;
    @Autowired ProducerTemplate producer;

    private final ReceiveClock receiveClock = new ReceiveClock(Clock.systemUTC());
    private final AtomicLong signatures = new AtomicLong();
    private long salt;

    @BeforeEach
    void freshMints() {
        salt = SALT.addAndGet(1000);
    }

    private String mint(int i) {
        return TestFrames.key32(i, salt);
    }

    private void create(String mint, String name) {
        long seq = receiveClock.next();
        store.applyAndMarkDirty(pricing.create(new TokenCreated(TestFrames.signature(signatures.incrementAndGet(), salt),
                mint, TestFrames.key32(999, salt), "pump", name, "SYM", "https://example.org/" + name, false, 0, 0,
                30d, 1_073_000_000d, 28d, seq, System.currentTimeMillis())));
    }

    private void trades(String mint, int count, double solAmount) {
        for (int i = 0; i < count; i++) {
            long seq = receiveClock.next();
            double vSol = 31 + i / 100d;
            store.applyAndMarkDirty(pricing.trade(new TokenTraded(
                    TestFrames.signature(signatures.incrementAndGet(), salt), mint, null, i % 3 != 2, 1000, solAmount,
                    vSol, 30 * 1_073_000_000d / vSol, null, "pump", seq, System.currentTimeMillis())));
        }
    }

    private void migrate(String mint) {
        store.applyAndMarkDirty(pricing.migrate(new TokenMigrated(
                TestFrames.signature(signatures.incrementAndGet(), salt), mint, "pump-amm", receiveClock.next(),
                System.currentTimeMillis())));
    }

    private void sync() {
        producer.requestBody("direct:redis-to-db-sync", (Object) null);
    }

    private Map<String, Object> row(String mint) {
        return jdbc.queryForMap("SELECT * FROM token_discovery WHERE mint = ?", mint);
    }

    private boolean hasRow(String mint) {
        return jdbc.queryForObject("SELECT count(*) FROM token_discovery WHERE mint = ?", Integer.class, mint) == 1;
    }

    private void awaitHashExpired(String mint) {
        await().atMost(EXPIRY).until(() -> !Boolean.TRUE.equals(redis.hasKey(keys.token(mint))));
    }

    private void awaitEverythingExpired(String mint) {
        awaitHashExpired(mint);
        await().atMost(EXPIRY).until(() -> !Boolean.TRUE.equals(redis.hasKey(keys.retained(mint))));
    }

    private static long count(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    private static BigDecimal decimal(Map<String, Object> row, String column) {
        return (BigDecimal) row.get(column);
    }

    @Test
    void aMigrationLongAfterTheLastCommitKeepsTotalsFirstSeenAndName() {
        String mint = mint(1);
        create(mint, "Keeper");
        trades(mint, 53, 0.5);
        sync();
        Map<String, Object> before = row(mint);
        assertThat(count(before, "trade_count")).isEqualTo(53);

        // hash AND retained state gone: the migrate frame rebuilds the hash from nothing (a new epoch)
        awaitEverythingExpired(mint);
        migrate(mint);
        sync();
        Map<String, Object> after = row(mint);
        assertThat(count(after, "trade_count")).isEqualTo(53);
        assertThat(count(after, "buy_count")).isEqualTo(count(before, "buy_count"));
        assertThat(count(after, "sell_count")).isEqualTo(count(before, "sell_count"));
        assertThat(decimal(after, "volume_sol")).isEqualByComparingTo(decimal(before, "volume_sol"));
        assertThat(decimal(after, "volume_usd")).isEqualByComparingTo(decimal(before, "volume_usd"));
        assertThat(after.get("state")).isEqualTo("MIGRATED");
        assertThat(decimal(after, "bonding_progress")).isEqualByComparingTo("100");
        assertThat((Timestamp) after.get("first_seen_at")).isEqualTo((Timestamp) before.get("first_seen_at"));
        assertThat(after.get("name")).isEqualTo("Keeper");
        assertThat(after.get("migrated_at")).isNotNull();

        // trades on the AMM pool after yet another expiry: added to the totals, MIGRATED stays, progress stays 100
        awaitEverythingExpired(mint);
        trades(mint, 2, 1.0);
        sync();
        Map<String, Object> later = row(mint);
        assertThat(count(later, "trade_count")).isEqualTo(55);
        assertThat(decimal(later, "volume_sol")).isEqualByComparingTo(decimal(before, "volume_sol").add(BigDecimal.valueOf(2)));
        assertThat(later.get("state")).isEqualTo("MIGRATED");
        assertThat(decimal(later, "bonding_progress")).isEqualByComparingTo("100");
        assertThat(later.get("name")).isEqualTo("Keeper");
    }

    @Test
    void tradesAfterTheHashExpiredAddToThePersistedTotals() {
        String mint = mint(2);
        create(mint, "Twice");
        trades(mint, 12, 0.25);
        sync();
        jdbc.update("UPDATE token_discovery SET state = 'ACTIVE' WHERE mint = ?", mint);

        // within the retention: the hash is rebuilt from the retained state (same epoch)
        awaitHashExpired(mint);
        assertThat(redis.hasKey(keys.retained(mint))).as("retained state outlives the hash").isTrue();
        trades(mint, 3, 0.25);
        assertThat(redis.opsForHash().get(keys.token(mint), "trade_count")).as("rebuilt from the retained totals")
                .isEqualTo("15");
        sync();
        assertThat(count(row(mint), "trade_count")).isEqualTo(15);

        // past the retention: a new epoch starts from zero in Redis, the row adds it to its totals
        awaitEverythingExpired(mint);
        trades(mint, 4, 0.25);
        sync();
        Map<String, Object> row = row(mint);
        assertThat(count(row, "trade_count")).isEqualTo(19);
        assertThat(count(row, "buy_count") + count(row, "sell_count")).isEqualTo(19);
        assertThat(decimal(row, "volume_sol")).isEqualByComparingTo("4.75");
        assertThat(decimal(row, "volume_usd")).isEqualByComparingTo("475");
        assertThat(row.get("state")).as("a rebuilt hash that says NEW does not demote the row").isEqualTo("ACTIVE");
        assertThat(row.get("name")).isEqualTo("Twice");

        // the same epoch again: written again, not added twice
        trades(mint, 1, 0.25);
        sync();
        assertThat(count(row(mint), "trade_count")).isEqualTo(20);
    }

    @Test
    void aTokenThatCrossesTheThresholdLateGetsItsFullTotals() {
        String mint = mint(3);
        create(mint, "Slow Burner");
        trades(mint, 6, 0.01);
        sync();
        assertThat(hasRow(mint)).as("below the thresholds: no row yet").isFalse();
        long firstSeen = Long.parseLong((String) redis.opsForHash().get(keys.token(mint), "first_seen_at"));

        awaitHashExpired(mint);
        trades(mint, 5, 0.01);
        sync();
        Map<String, Object> row = row(mint);
        assertThat(count(row, "trade_count")).isEqualTo(11);
        assertThat(decimal(row, "volume_sol")).isEqualByComparingTo("0.11");
        assertThat(((Timestamp) row.get("first_seen_at")).getTime()).isEqualTo(firstSeen);
        assertThat(row.get("name")).isEqualTo("Slow Burner");
        assertThat(row.get("symbol")).isEqualTo("SYM");
    }

    @Test
    void aTokenWatchedAfterItsHashExpiredIsPersistedWithItsTotals() {
        String mint = mint(4);
        create(mint, "Watch Me");
        trades(mint, 4, 0.01);
        sync();
        assertThat(hasRow(mint)).isFalse();

        awaitHashExpired(mint);
        jdbc.update("INSERT INTO token_watch (mint, watcher) VALUES (?, 'alice')", mint);
        producer.requestBody("direct:watch-list-sync", (Object) null);
        sync();
        Map<String, Object> row = row(mint);
        assertThat(count(row, "trade_count")).isEqualTo(4);
        assertThat(row.get("name")).isEqualTo("Watch Me");
        assertThat(redis.getExpire(keys.token(mint))).as("a watched token's hash never expires").isEqualTo(-1);
    }
}
