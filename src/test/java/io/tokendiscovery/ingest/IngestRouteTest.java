package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * The ingest route with its real consumer, parser, Lua script and Redis, fed through the simulator's socket: every
 * sample shape, ordering under load, a fuzz of bad frames among good ones, the refusal notice, and a secret that
 * never shows in the actuator endpoints.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.simulator.api-keys=" + IngestRouteTest.SECRET,
    "tokendiscovery.pumpportal.api-key=" + IngestRouteTest.SECRET,
    "tokendiscovery.redis.dead-letter-max-entries=50000"
})
@ActiveProfiles("test")
@ExtendWith(OutputCaptureExtension.class)
class IngestRouteTest {

    static final String SECRET = "sk-route-test-secret-4242";

    @Autowired PumpPortalSimulator simulator;
    @Autowired PumpPortalClient client;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired MeterRegistry meters;
    @Autowired TestRestTemplate http;
    @Autowired org.apache.camel.ProducerTemplate producer;

    @BeforeEach
    void streaming() {
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == ConnectionState.STREAMING);
    }

    private Map<Object, Object> token(String mint) {
        return redis.opsForHash().entries(keys.token(mint));
    }

    private long deadLetters() {
        Long size = redis.opsForList().size(keys.deadLetters());
        return size == null ? 0 : size;
    }

    @Test
    void everySampleShapeReachesRedis() {
        long deadBefore = deadLetters();
        simulator.sendRaw(SampleFrames.all());
        String bonk = "7VzfCJYiiQTVCeLumVrxQ8z1tGuFcQ75z5GMXQR2surg";
        String migrated = "DU8QWqR361yn4VQbRjYke4vdaKQYcfvDHsn2bx2cpump";
        await().atMost(Duration.ofSeconds(10)).until(() -> !token(migrated).isEmpty());

        Map<Object, Object> create = token("8yZ1rj5nHbUFuCbnoowE6rHLZYiuTe1tbxEskgzUpump");
        assertThat(create).containsEntry("name", "Cash Elon ").containsEntry("symbol", "CASHELON")
                .containsEntry("is_mayhem_mode", "1").containsEntry("state", "NEW").containsEntry("buy_count", "1");
        assertThat(Double.parseDouble((String) create.get("price_sol"))).isEqualTo(30.059259257999976 / 1070884672.297204);
        assertThat(token("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")).doesNotContainKey("name")
                .containsEntry("v_sol_in_curve", "30.0");
        assertThat(Double.parseDouble((String) token(bonk).get("price_sol"))).isEqualTo(29.72713613571716 / 1e9);
        Map<Object, Object> buy = token("5ygJ27k1ZyUBdeR9LeNxQ5vZ4n4togt3kxxcYnHUpump");
        assertThat(Double.parseDouble((String) buy.get("price_sol"))).isEqualTo(53.93797509913754 / 596796597.218102);
        assertThat(Double.parseDouble((String) buy.get("volume_sol"))).isEqualTo(2.629842459);
        assertThat(token("4Wo7nxVsPV125DW3Tr2ppPrzrnNFwidiKjWyVsifpump")).containsEntry("sell_count", "1");
        assertThat(token(migrated)).containsEntry("state", "MIGRATED").containsEntry("pool", "pump-amm");
        assertThat(redis.opsForZSet().score(keys.dirty(), migrated)).isNotNull();
        assertThat(deadLetters()).isEqualTo(deadBefore);

        // the same frames again: trades are deduplicated on signature, nothing counted twice
        simulator.sendRaw(SampleFrames.all());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                meters.get("tokendiscovery.ingest.duplicates").counter().count() >= 3);
        assertThat(token("5ygJ27k1ZyUBdeR9LeNxQ5vZ4n4togt3kxxcYnHUpump")).containsEntry("trade_count", "1");
    }

    @Test
    void theFundedKeyRefusalIsRecognised() {
        simulator.sendRaw(SampleFrames.get(SampleFrames.FUNDED_KEY_NOTICE));
        await().atMost(Duration.ofSeconds(10)).until(client::tradesRefused);
        assertThat(meters.get("tokendiscovery.pumpportal.trade.refusals").counter().count()).isPositive();
    }

    @Test
    void aBatchKeepsEveryGoodChangeBesideABadFrameAndAChangeRedisRefusesAndSurvivesAnEmptyScriptCache() {
        String good = TestFrames.key32(1, 777);
        String refused = TestFrames.key32(2, 777);
        // a token key of the wrong type: Redis answers that token's script with WRONGTYPE, and only that one
        redis.opsForValue().set(keys.token(refused), "not a hash");
        ReceiveClock clock = new ReceiveClock(java.time.Clock.systemUTC());
        List<org.apache.camel.Message> batch = new ArrayList<>();
        List<String> texts = List.of(
                "{not json",
                TestFrames.trade(good, TestFrames.signature(1, 777), true, 1.0, 1000, 41, 30 * 1_073_000_000d / 41),
                TestFrames.trade(refused, TestFrames.signature(2, 777), true, 1.0, 1000, 41, 30 * 1_073_000_000d / 41),
                "{\"message\":\"Successfully subscribed to keys.\"}",
                TestFrames.trade(good, TestFrames.signature(3, 777), false, 0.5, 500, 42, 30 * 1_073_000_000d / 42));
        for (String text : texts) {
            org.apache.camel.Message frame = new org.apache.camel.support.DefaultMessage(producer.getCamelContext());
            frame.setBody(text);
            frame.setHeader(PumpPortalHeaders.RECEIVE_SEQ, clock.next());
            frame.setHeader(PumpPortalHeaders.RECEIVED_AT, System.currentTimeMillis());
            frame.setHeader(PumpPortalHeaders.RECEIVED_NANOS, System.nanoTime());
            batch.add(frame);
        }
        long latencySamples = meters.get("tokendiscovery.ingest.redis.latency").timer().count();
        redis.delete(keys.deadLetters());
        // as after a Redis restart: the script cache is empty, the batch reloads the script and goes on
        try (var connection = redis.getConnectionFactory().getConnection()) {
            connection.scriptingCommands().scriptFlush();
        }
        long deadBefore = 0;

        producer.sendBody("direct:ingest-batch", batch);

        assertThat(token(good)).containsEntry("trade_count", "2").containsEntry("buy_count", "1");
        assertThat(Double.parseDouble((String) token(good).get("price_sol"))).isEqualTo(42 / (30 * 1_073_000_000d / 42));
        assertThat(redis.opsForValue().get(keys.token(refused))).isEqualTo("not a hash");
        assertThat(deadLetters() - deadBefore).isEqualTo(2);
        List<String> reasons = redis.opsForList().range(keys.deadLetters(), 0, 1).stream()
                .map(entry -> SampleFrames.parse(entry).get("reason").asText()).toList();
        assertThat(reasons).containsExactly("REDIS_REJECTED", "NOT_JSON");
        // one latency sample per change committed: the two good trades
        assertThat(meters.get("tokendiscovery.ingest.redis.latency").timer().count() - latencySamples).isEqualTo(2);

        // fixed, the refused frame replays: its signature was not recorded by the failed script
        redis.delete(keys.token(refused));
        producer.requestBody("direct:replay-dead-frames", 2);
        assertThat(token(refused)).containsEntry("trade_count", "1");
        assertThat(redis.opsForList().range(keys.deadLetters(), 0, -1)).singleElement()
                .satisfies(entry -> assertThat(SampleFrames.parse(entry).get("reason").asText()).isEqualTo("NOT_JSON"));
    }

    @Test
    void theLatestFrameOfEachMintWinsUnderLoad() {
        SplittableRandom random = new SplittableRandom(1234);
        List<String> mints = List.of(TestFrames.key32(1, 500), TestFrames.key32(2, 500), TestFrames.key32(3, 500),
                TestFrames.key32(4, 500));
        Map<String, Double> last = new HashMap<>();
        List<String> frames = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000; i++) {
            String mint = mints.get(random.nextInt(mints.size()));
            double[] r = TestFrames.reserves(random);
            frames.add(TestFrames.trade(mint, TestFrames.signature(i, 500), random.nextBoolean(), 0.5, 1000, r[0], r[1]));
            last.put(mint, r[0] / r[1]);
        }
        for (int from = 0; from < frames.size(); from += 5_000) {
            simulator.sendRaw(frames.subList(from, from + 5_000));
        }
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            long total = 0;
            for (String mint : mints) {
                total += Long.parseLong(String.valueOf(token(mint).getOrDefault("trade_count", "0")));
            }
            assertThat(total).isEqualTo(100_000);
        });
        last.forEach((mint, price) -> {
            assertThat(Double.parseDouble((String) token(mint).get("price_sol"))).as(mint).isEqualTo(price);
            JsonNode tick = SampleFrames.parse(redis.opsForValue().get(keys.priceTick(mint)));
            assertThat(tick.get("priceSol").asDouble()).isEqualTo(price);
        });
    }

    @Test
    void aFuzzOfBadFramesIsDeadLetteredAndEveryValidFrameAroundItIsApplied() {
        SplittableRandom random = new SplittableRandom(99);
        List<String> mints = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            mints.add(TestFrames.key32(i, 900));
        }
        Map<String, Long> validTrades = new HashMap<>();
        Map<String, Double> lastPrice = new HashMap<>();
        List<String> bad = new ArrayList<>();
        List<String> frames = new ArrayList<>();
        List<BiFunction<String, SplittableRandom, String>> mutations = mutations();
        for (int i = 0; i < 20_000; i++) {
            String mint = mints.get(random.nextInt(mints.size()));
            double[] r = TestFrames.reserves(random);
            String valid = TestFrames.trade(mint, TestFrames.signature(i, 900), true, 1.0, 1000, r[0], r[1]);
            if (random.nextBoolean()) {
                String mutated = mutations.get(random.nextInt(mutations.size())).apply(valid, random);
                bad.add(mutated);
                frames.add(mutated);
            } else {
                frames.add(valid);
                validTrades.merge(mint, 1L, Long::sum);
                lastPrice.put(mint, r[0] / r[1]);
            }
        }
        assertThat(bad).hasSizeGreaterThan(9_000);
        long deadBefore = deadLetters();
        for (int from = 0; from < frames.size(); from += 2_000) {
            simulator.sendRaw(frames.subList(from, Math.min(frames.size(), from + 2_000)));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters() - deadBefore == bad.size());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> validTrades.forEach((mint, count) ->
                assertThat(token(mint)).as(mint).containsEntry("trade_count", Long.toString(count))));
        lastPrice.forEach((mint, price) ->
                assertThat(Double.parseDouble((String) token(mint).get("price_sol"))).isEqualTo(price));

        List<String> stored = redis.opsForList().range(keys.deadLetters(), 0, bad.size() - 1);
        Map<String, Integer> reasons = new LinkedHashMap<>();
        List<String> storedFrames = new ArrayList<>();
        for (String entry : stored) {
            JsonNode json = SampleFrames.parse(entry);
            assertThat(json.get("reason").asText()).isNotBlank();
            assertThat(json.get("at").asText()).isNotBlank();
            reasons.merge(json.get("reason").asText(), 1, Integer::sum);
            storedFrames.add(json.get("frame").asText());
        }
        Collections.reverse(storedFrames);
        List<String> expected = bad.stream().map(f -> f.length() > 65_536 ? f.substring(0, 65_536) : f).toList();
        assertThat(storedFrames).containsExactlyElementsOf(expected);
        assertThat(reasons.keySet()).contains("NOT_JSON", "NOT_OBJECT", "INVALID_MINT", "INVALID_NUMBER", "WRONG_TYPE",
                "UNKNOWN_TX_TYPE", "OVERSIZED", "ABSURD_VALUE", "MISSING_FIELD", "FEED_ERROR", "INVALID_SIGNATURE");
        assertThat(meters.find("tokendiscovery.ingest.dead.letters").counters().stream()
                .mapToDouble(c -> c.count()).sum()).isGreaterThanOrEqualTo(bad.size());
    }

    /** Each turns a valid trade frame into one that must be rejected. */
    private static List<BiFunction<String, SplittableRandom, String>> mutations() {
        return List.of(
                (f, r) -> f.substring(0, 1 + r.nextInt(f.length() - 2)),
                (f, r) -> f.replaceFirst("\"mint\":\"[^\"]+\"", "\"mint\":\"0OIl" + r.nextInt(1000) + "\""),
                (f, r) -> f.replaceFirst("\"mint\":\"[^\"]+\"", "\"mint\":\"'; DROP TABLE token_discovery; --\""),
                (f, r) -> f.replaceFirst("\"vSolInBondingCurve\":[^,}]+", "\"vSolInBondingCurve\":-" + r.nextInt(100)),
                (f, r) -> f.replaceFirst("\"vSolInBondingCurve\":[^,}]+", "\"vSolInBondingCurve\":1e300"),
                (f, r) -> f.replaceFirst("\"tokenAmount\":[^,}]+", "\"tokenAmount\":\"lots\""),
                (f, r) -> f.replaceFirst("\"tokenAmount\":[^,}]+,", ""),
                (f, r) -> f.replaceFirst("\"txType\":\"[a-z]+\"", "\"txType\":\"burn" + r.nextInt(10) + "\""),
                (f, r) -> f.replaceFirst("\"signature\":\"", "\"signature\":\"0"),
                (f, r) -> "[" + f + "]",
                (f, r) -> Integer.toString(r.nextInt()),
                (f, r) -> "not json " + r.nextLong(),
                (f, r) -> "{\"errors\":\"Invalid request " + r.nextInt() + "\"}",
                (f, r) -> "{\"hello\":" + r.nextInt() + "}",
                (f, r) -> r.nextInt(50) == 0 ? f.replace("\"pool\":\"pump\"", "\"pad\":\"" + "x".repeat(270_000) + "\"")
                        : f.replace("\"txType\":\"buy\"", "\"txType\":null"));
    }

    @Test
    void theApiKeyIsNeitherLoggedNorExposed(CapturedOutput output) {
        assertThat(simulator.connections()).anySatisfy(c -> assertThat(c.funded()).isTrue());
        assertThat(http.getForObject("/actuator/health", String.class)).doesNotContain(SECRET);
        assertThat(http.getForObject("/actuator/prometheus", String.class)).doesNotContain(SECRET).contains("tokendiscovery_pumpportal_connection_state");
        assertThat(http.getForEntity("/actuator/env", String.class).getStatusCode().value()).isEqualTo(404);
        assertThat(output.getAll()).doesNotContain(SECRET);
    }
}
