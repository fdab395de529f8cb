package io.tokendiscovery.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.cache.TokenStore;
import io.tokendiscovery.ingest.FeedEvent.TokenTraded;
import io.tokendiscovery.ingest.ReceiveClock;
import io.tokendiscovery.ingest.TestFrames;
import io.tokendiscovery.ingest.TokenPricing;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * tokendiscovery.sync.chunk-size: a huge batch written by the sync route in chunks of one transaction each (the last
 * one with the run's sync_run row), a poison row in a middle chunk isolated into sync_dead_letter, every other row
 * written, one sync_run row for the run.
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.pricing.sol-usd=100",
    "tokendiscovery.sync.chunk-size=3"
})
@ActiveProfiles("test")
class ChunkedSyncTest {

    @Autowired TokenPricing pricing;
    @Autowired TokenStore store;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired JdbcTemplate jdbc;
    @Autowired ProducerTemplate producer;

    private final ReceiveClock receiveClock = new ReceiveClock(Clock.systemUTC());

    @Test
    void aHugeBatchIsWrittenInChunksOfOneTransactionEach() {
        List<String> mints = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String mint = TestFrames.key32(i, 4242);
            mints.add(mint);
            for (int t = 0; t < 10; t++) {
                double vSol = 30 + t;
                store.applyAndMarkDirty(pricing.trade(new TokenTraded(TestFrames.signature(i * 100L + t, 4242), mint,
                        null, true, 1000, 0.001, vSol, 30 * 1_073_000_000d / vSol, null, "pump", receiveClock.next(),
                        System.currentTimeMillis())));
            }
        }
        String poison = mints.get(7);
        redis.opsForHash().put(keys.token(poison), "bonding_progress", "12345678.9");   // numeric(7,4) overflow

        producer.requestBody("direct:redis-to-db-sync", (Object) null);

        Map<String, Object> run = jdbc.queryForMap("SELECT * FROM sync_run ORDER BY id DESC LIMIT 1");
        assertThat(run.get("outcome")).isEqualTo("SUCCESS");
        assertThat(run.get("total")).isEqualTo(10);
        assertThat(run.get("inserted")).isEqualTo(9);
        assertThat(run.get("dead_lettered")).isEqualTo(1);
        for (String mint : mints) {
            Integer rows = jdbc.queryForObject("SELECT count(*) FROM token_discovery WHERE mint = ? AND trade_count = 10",
                    Integer.class, mint);
            assertThat(rows).as(mint).isEqualTo(mint.equals(poison) ? 0 : 1);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sync_dead_letter WHERE mint = ?", Integer.class, poison))
                .isEqualTo(1);
        assertThat(redis.opsForZSet().zCard(keys.dirty())).isZero();
    }
}
