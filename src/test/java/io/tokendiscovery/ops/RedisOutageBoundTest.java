package io.tokendiscovery.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.cache.DeadLetterStore;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.devservices.EmbeddedServers;
import io.tokendiscovery.ingest.ConnectionState;
import io.tokendiscovery.ingest.PumpPortalClient;
import io.tokendiscovery.simulator.MintStats;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import java.time.Duration;
import java.util.List;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * Issue 14, "Redis outages", past the bound (docs/operations.md#redis-outage): with
 * {@code redis-outage-max-wait=3s} and room for 40 dead letters in memory, Redis is stopped for 20 s under a
 * streaming feed. Past 3 s each batch gets one attempt and is dead-lettered into the in-memory spill; once the spill
 * is full the rest is counted as lost, never silently. After the restart the spill is in the Redis list and every
 * trade the simulator sent is accounted for: in Redis, in a dead letter, or within the lost count.
 *
 * <p>Against the code before the fix this fails at once: a dead letter filed while Redis is down threw, the lost
 * batches were counted nowhere ({@code tokendiscovery.ingest.frames.lost} did not exist).
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.simulator.seed=1415",
    "tokendiscovery.simulator.firehose=true",
    "tokendiscovery.simulator.create-share=0.1",
    "tokendiscovery.simulator.max-active-mints=30",
    "tokendiscovery.simulator.bonk-share=0",
    "tokendiscovery.simulator.legacy-share=0",
    "tokendiscovery.pricing.sol-usd=100",
    "tokendiscovery.pumpportal.receive-queue-capacity=100",
    "tokendiscovery.ingest.max-batch=20",
    "tokendiscovery.ingest.redis-outage-max-wait=3s",
    "tokendiscovery.redis.dead-letter-spill-max-entries=40"
})
@ActiveProfiles("test")
class RedisOutageBoundTest {

    @Autowired EmbeddedServers servers;
    @Autowired PumpPortalSimulator simulator;
    @Autowired PumpPortalClient client;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired DeadLetterStore deadLetters;
    @Autowired MeterRegistry meters;
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void redisRunsAgain() {
        servers.redis().restart();
        simulator.setFramesPerSecond(0);
    }

    @Test
    void pastTheBoundFramesAreDeadLetteredInMemoryAndWhatCannotBeHeldIsCounted() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == ConnectionState.STREAMING);
        simulator.setFramesPerSecond(30);
        await().atMost(Duration.ofSeconds(30)).until(() -> tradesInRedis() >= 60);

        long stoppedAt = System.nanoTime();
        servers.redis().stop();
        await().atMost(Duration.ofSeconds(40)).until(() -> deadLetters.spillSize() >= 40 && lost() > 0);
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(30))
                .until(() -> System.nanoTime() - stoppedAt >= Duration.ofSeconds(20).toNanos());
        servers.redis().restart();

        long sentAtRestart = simulator.framesSent();
        await().atMost(Duration.ofSeconds(60)).until(() -> simulator.framesSent() >= sentAtRestart + 60);
        simulator.setFramesPerSecond(0);

        long sent = tradesSent();
        // every dead letter kept in memory reaches the Redis list; what was neither applied nor dead-lettered is the
        // lost count (which also counts create and migrate frames, so it may be a little larger than the gap)
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(deadLetters.spillSize()).as("dead letters still in memory").isZero();
            long accounted = tradesInRedis() + tradesDeadLettered();
            assertThat(accounted).as("trades in Redis or dead-lettered").isLessThanOrEqualTo(sent);
            assertThat(accounted + (long) lost()).as("trades in Redis, dead-lettered, or counted lost")
                    .isGreaterThanOrEqualTo(sent);
        });
        assertThat(tradesDeadLettered()).as("trades dead-lettered past the bound").isPositive();
        assertThat(lost()).as("frames lost once the spill was full").isPositive();
        assertThat(meters.find("tokendiscovery.ingest.frames.lost").tag("reason", "dead_letter_spill_full")
                .counter().count()).isEqualTo(lost());
        assertThat(meters.find("tokendiscovery.ingest.dead.letters.spilled").counter().count())
                .isGreaterThanOrEqualTo(40);
        assertThat(simulator.droppedFrames()).isZero();
    }

    private double lost() {
        return meters.find("tokendiscovery.ingest.frames.lost").counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Per the simulator: buys, sells and the creates' initial buys (the ingest counts those as trades). */
    private long tradesSent() {
        long trades = 0;
        for (MintStats stats : simulator.market().allMintStats()) {
            trades += stats.trades() + (stats.createSolAmount() > 0 ? 1 : 0);
        }
        return trades;
    }

    private long tradesInRedis() {
        long trades = 0;
        for (MintStats stats : simulator.market().allMintStats()) {
            Object count = redis.opsForHash().get(keys.token(stats.mint()), "trade_count");
            trades += count == null ? 0 : Long.parseLong(count.toString());
        }
        return trades;
    }

    /**
     * Dead-lettered frames that would have counted a trade (buys, sells, creates with an initial buy), leaving out
     * entries marked applied (their trade is in Redis already).
     */
    private long tradesDeadLettered() throws Exception {
        List<String> entries = redis.opsForList().range(keys.deadLetters(), 0, -1);
        long trades = 0;
        for (String entry : entries == null ? List.<String>of() : entries) {
            JsonNode letter = json.readTree(entry);
            if (!"PROCESSING_FAILED".equals(letter.path("reason").asText()) || letter.path("applied").asBoolean()) {
                continue;
            }
            JsonNode frame = json.readTree(letter.path("frame").asText());
            String type = frame.path("txType").asText();
            if (type.equals("buy") || type.equals("sell")
                    || (type.equals("create") && frame.path("solAmount").asDouble() > 0
                        && frame.path("initialBuy").asDouble() > 0)) {
                trades++;
            }
        }
        return trades;
    }
}
