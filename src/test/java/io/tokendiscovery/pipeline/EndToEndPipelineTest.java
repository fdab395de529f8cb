package io.tokendiscovery.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.ingest.ConnectionState;
import io.tokendiscovery.ingest.PumpPortalClient;
import io.tokendiscovery.simulator.MintStats;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import io.tokendiscovery.simulator.SimulatedFrame;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * The whole pipeline on embedded Redis and PostgreSQL: simulator frames -> ingest route -> Redis -> sync route ->
 * rows. Every token that traded enough has a row whose price_sol is its last frame's vSol/vTokens; the others have
 * none (lazy persistence); nothing is left dirty.
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.simulator.seed=42",
    "tokendiscovery.simulator.firehose=true",
    "tokendiscovery.simulator.create-share=0.08",
    "tokendiscovery.simulator.max-active-mints=60"
})
@ActiveProfiles("test")
@ExtendWith(OutputCaptureExtension.class)
class EndToEndPipelineTest {

    @Autowired PumpPortalSimulator simulator;
    @Autowired PumpPortalClient client;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired JdbcTemplate jdbc;
    @Autowired ProducerTemplate producer;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void framesReachRedisAndTheSyncWritesTheLatestPriceOfEveryActiveToken(CapturedOutput output) throws Exception {
        // The market starts once the app streams, so every frame is one the app could receive.
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == ConnectionState.STREAMING);
        simulator.setFramesPerSecond(400);
        await().atMost(Duration.ofSeconds(60)).until(() -> simulator.framesSent() >= 4000);
        simulator.pause();

        Map<String, Double> expected = expectedPrices();
        assertThat(expected).hasSizeGreaterThan(20);

        // Redis: every mint's latest tick is its last priced frame, once the route has drained what was sent.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> expected.forEach((mint, price) -> {
            String tick = redis.opsForValue().get(keys.priceTick(mint));
            assertThat(tick).as("tick of %s", mint).isNotNull();
            assertThat(readPrice(tick)).as("Redis price of %s", mint).isEqualTo(price);
        }));
        Long dirty = redis.opsForZSet().zCard(keys.dirty());
        assertThat(dirty).isPositive();

        producer.requestBody("direct:redis-to-db-sync", (Object) null);

        Map<String, BigDecimal> rows = new HashMap<>();
        jdbc.query("SELECT mint, price_sol FROM token_discovery", rs -> {
            rows.put(rs.getString(1), rs.getBigDecimal(2));
        });
        int persisted = 0;
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            Map<Object, Object> hash = redis.opsForHash().entries(keys.token(e.getKey()));
            long trades = Long.parseLong(String.valueOf(hash.getOrDefault("trade_count", "0")));
            double volumeUsd = Double.parseDouble(String.valueOf(hash.getOrDefault("volume_usd", "0")));
            boolean eligible = trades >= 10 || volumeUsd >= 100;
            if (eligible) {
                persisted++;
                assertThat(rows).as("row of %s", e.getKey()).containsKey(e.getKey());
                assertThat(rows.get(e.getKey()).doubleValue()).as("price_sol of %s", e.getKey()).isEqualTo(e.getValue());
            } else {
                assertThat(rows).as("lazy persistence: %s has %d trades, %.2f USD", e.getKey(), trades, volumeUsd)
                        .doesNotContainKey(e.getKey());
            }
        }
        assertThat(persisted).isGreaterThan(10);

        assertThat(redis.opsForZSet().zCard(keys.dirty())).isZero();
        assertThat(redis.opsForZSet().zCard(keys.inFlight())).isZero();
        String someMint = expected.keySet().iterator().next();
        assertThat(redis.getExpire(keys.token(someMint))).as("TTL starts after commit").isPositive();

        List<Map<String, Object>> runs = jdbc.queryForList("SELECT * FROM sync_run");
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0)).containsEntry("outcome", "SUCCESS");
        assertThat(((Number) runs.get(0).get("inserted")).intValue()).isEqualTo(rows.size());
        assertThat(output.getOut()).containsPattern(
                "Completed batch sync from Redis to database: total=\\d+, updated=0, inserted=" + rows.size()
                        + ", skipped=\\d+, deadLettered=0, durationMs=\\d+");
    }

    /** Per mint, the price the ingest must end with: its last frame that carries a price under PROTOCOL.md's rules. */
    private Map<String, Double> expectedPrices() {
        Map<String, Double> prices = new HashMap<>();
        for (MintStats stats : simulator.market().allMintStats()) {
            SimulatedFrame last = stats.lastFrame();
            if (last == null) {
                continue;
            }
            if (last.hasReserves()) {
                prices.put(stats.mint(), last.vSol() / last.vTokens());
            } else if (last.shape() == SimulatedFrame.Shape.AMM_TRADE && last.solAmount() >= 0.01) {
                prices.put(stats.mint(), last.solAmount() / last.tokenAmount());
            }
        }
        return prices;
    }

    private double readPrice(String tick) {
        try {
            JsonNode node = json.readTree(tick);
            return node.get("priceSol").asDouble();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
