package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * Hostile input through the real app (simulator socket or the ingest route, Lua script, embedded Redis, sync route,
 * embedded PostgreSQL), issue 13 items 1 (ingest side) and 4: free text with control characters, a lone surrogate
 * and 64 KB is stored cleaned and never costs the token; a frame that cannot be priced is dead-lettered with
 * {@code INVALID_NUMBER} at once, never retried; the ingest error handling retries only transient failures. Each
 * test was run against the code before the fix (parser, pricing and error-handling YAML of 5d0129d) and failed
 * there (noted per test).
 * <p>
 * A frame carrying a full 64 KB name is parsed at the default {@code max-frame-size} (256 KB).
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.pricing.sol-usd=100"
})
@ActiveProfiles("test")
@ExtendWith(OutputCaptureExtension.class)
class HostileFrameTest {

    /** The ingest-error-handling backoff: 100+200+400+800+1600 ms over 5 retries. */
    private static final long RETRY_SCHEDULE_MILLIS = 3_100;

    @Autowired PumpPortalSimulator simulator;
    @Autowired PumpPortalClient client;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired JdbcTemplate jdbc;
    @Autowired ProducerTemplate producer;
    @Autowired CamelContext camel;
    @Autowired MeterRegistry meters;

    private final AtomicInteger redeliveries = new AtomicInteger();
    private final EventNotifierSupport redeliveryCounter = new EventNotifierSupport() {
        @Override
        public void notify(CamelEvent event) {
            if (event instanceof CamelEvent.ExchangeRedeliveryEvent) {
                redeliveries.incrementAndGet();
            }
        }
    };

    @BeforeEach
    void streamingAndCountingRedeliveries() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == ConnectionState.STREAMING);
        redeliveryCounter.start();
        camel.getManagementStrategy().addEventNotifier(redeliveryCounter);
    }

    @AfterEach
    void stopCounting() {
        camel.getManagementStrategy().removeEventNotifier(redeliveryCounter);
        redeliveryCounter.stop();
    }

    private Map<Object, Object> token(String mint) {
        return redis.opsForHash().entries(keys.token(mint));
    }

    private List<String> deadLetterReasons(int newest) {
        return redis.opsForList().range(keys.deadLetters(), 0, newest - 1).stream()
                .map(entry -> SampleFrames.parse(entry).get("reason").asText()).toList();
    }

    private static String validTrade(String mint, int n) {
        return TestFrames.trade(mint, TestFrames.signature(n, 1313), true, 5.0, 1000, 41, 30 * 1_073_000_000d / 41);
    }

    /** The frame with one numeric field's JSON text replaced. */
    private static String with(String frame, String field, String jsonNumber) {
        String changed = frame.replaceFirst("\"" + field + "\":[^,}]+", "\"" + field + "\":" + jsonNumber);
        assertThat(changed).isNotEqualTo(frame);
        return changed;
    }

    /**
     * A pump create with the given JSON string bodies (already escaped as the feed escapes them): 2 SOL initial buy,
     * so 200 USD of volume at the test's rate, over the lazy-persistence threshold.
     */
    private static String create(String mint, String signature, String jsonName, String jsonSymbol, String jsonUri) {
        return String.format(Locale.ROOT,
                "{\"signature\":\"%s\",\"mint\":\"%s\",\"traderPublicKey\":\"%s\",\"txType\":\"create\","
                        + "\"initialBuy\":70000000,\"solAmount\":2,\"bondingCurveKey\":\"%s\","
                        + "\"vTokensInBondingCurve\":1003000000,\"vSolInBondingCurve\":32.09,"
                        + "\"marketCapSol\":31.99,\"name\":\"%s\",\"symbol\":\"%s\",\"uri\":\"%s\","
                        + "\"is_mayhem_mode\":false,\"pool\":\"pump\"}",
                signature, mint, TestFrames.key32(7, 7), TestFrames.key32(9, 9), jsonName, jsonSymbol, jsonUri);
    }

    /**
     * Fails before the fix: the 64 KB name made the parser reject the whole frame ({@code FIELD_TOO_LONG}), so the
     * token never reached Redis; with a short name the NUL was stored as is and PostgreSQL refused the row (22021).
     */
    @Test
    void aNameWithControlCharactersALoneSurrogateAnd64KbIsStoredCleanedAndTheFrameBesideItToo() {
        String hostile = TestFrames.key32(1, 1313);
        String next = TestFrames.key32(2, 1313);
        // as the feed escapes them: NUL, LF, SOH, US, DEL, a lone high surrogate, then a real emoji (a valid pair)
        String name = "Evil\\u0000Co\\nin\\u0001\\u001f\\u007f\\ud800\\ud83d\\ude00" + "x".repeat(64 * 1024);
        String expectedName = "EvilCo in\uFFFD\uD83D\uDE00" + "x".repeat(FrameParser.MAX_NAME - 12);
        double controlsBefore = meters.counter("tokendiscovery.ingest.text.sanitized", "field", "name", "change",
                "control").count();
        Long deadBefore = redis.opsForList().size(keys.deadLetters());

        simulator.sendRaw(List.of(
                create(hostile, TestFrames.signature(1, 1313), name, "SY\\u0000M\\t", "https://x.example/\\u0000a"),
                create(next, TestFrames.signature(2, 1313), "Plain", "PLN", "https://x.example/p")));

        await().atMost(Duration.ofSeconds(15)).until(() -> !token(next).isEmpty());
        assertThat(token(hostile)).as("the hostile create reached Redis").containsEntry("name", expectedName)
                .containsEntry("symbol", "SYM ").containsEntry("uri", "https://x.example/a");
        assertThat(redis.opsForList().size(keys.deadLetters())).as("nothing dead-lettered").isEqualTo(deadBefore);
        assertThat(meters.counter("tokendiscovery.ingest.text.sanitized", "field", "name", "change", "control")
                .count()).isEqualTo(controlsBefore + 1);
        assertThat(meters.counter("tokendiscovery.ingest.text.sanitized", "field", "name", "change", "truncated")
                .count()).isPositive();

        producer.requestBody("direct:redis-to-db-sync", (Object) null);

        Map<String, Object> row = jdbc.queryForMap("SELECT name, symbol, uri FROM token_discovery WHERE mint = ?",
                hostile);
        assertThat(row).containsEntry("name", expectedName).containsEntry("symbol", "SYM ")
                .containsEntry("uri", "https://x.example/a");
        assertThat(jdbc.queryForObject("SELECT name FROM token_discovery WHERE mint = ?", String.class, next))
                .isEqualTo("Plain");
    }

    /**
     * Fails before the fix: {@code vTokensInBondingCurve: 1e-310} passed the parser, the price overflowed to
     * Infinity, {@code BigDecimal.valueOf} threw NumberFormatException and the frame went through 5 retries (about
     * 3.1 s, 5 redelivery events) before it was dead-lettered as {@code PROCESSING_FAILED}; a 1e-310 vSol was even
     * accepted with a subnormal price.
     */
    @Test
    void anUnpriceableFrameIsDeadLetteredAtOnceAndTheFrameAfterItIsApplied(CapturedOutput output) {
        String mint = TestFrames.key32(3, 1313);
        String created = TestFrames.key32(4, 1313);
        List<String> texts = List.of(
                // reserves that overflow the price to Infinity
                with(validTrade(mint, 10), "vTokensInBondingCurve", "1e-310"),
                // the same in a create
                with(create(created, TestFrames.signature(11, 1313), "N", "S", "u"), "vTokensInBondingCurve", "1e-310"),
                // a subnormal price
                with(validTrade(mint, 12), "vSolInBondingCurve", "1e-310"),
                // no reserves (graduated): the fill price solAmount / tokenAmount overflows
                with(validTrade(mint, 13), "tokenAmount", "1e-310")
                        .replaceAll(",\"vTokensInBondingCurve\":[^,]+,\"vSolInBondingCurve\":[^,]+,\"marketCapSol\":[^,]+",
                                ""),
                // the valid frame after them
                TestFrames.trade(mint, TestFrames.signature(14, 1313), true, 1.0, 1000, 42, 30 * 1_073_000_000d / 42));
        assertThat(texts.get(3)).doesNotContain("vSolInBondingCurve");
        ReceiveClock clock = new ReceiveClock(java.time.Clock.systemUTC());
        List<org.apache.camel.Message> batch = new ArrayList<>();
        for (String text : texts) {
            org.apache.camel.Message frame = new DefaultMessage(camel);
            frame.setBody(text);
            frame.setHeader(PumpPortalHeaders.RECEIVE_SEQ, clock.next());
            frame.setHeader(PumpPortalHeaders.RECEIVED_AT, System.currentTimeMillis());
            frame.setHeader(PumpPortalHeaders.RECEIVED_NANOS, System.nanoTime());
            batch.add(frame);
        }
        redis.delete(keys.deadLetters());

        long started = System.nanoTime();
        producer.sendBody("direct:ingest-batch", batch);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(deadLetterReasons(10)).containsExactly("INVALID_NUMBER", "INVALID_NUMBER", "INVALID_NUMBER",
                "INVALID_NUMBER");
        assertThat(redeliveries.get()).as("redelivery attempts").isZero();
        assertThat(tookMillis).as("one attempt each, far below one retry schedule").isLessThan(RETRY_SCHEDULE_MILLIS / 2);
        assertThat(output.getAll()).doesNotContain("On delivery attempt");
        assertThat(token(mint)).containsEntry("trade_count", "1");
        assertThat(Double.parseDouble((String) token(mint).get("price_sol"))).isEqualTo(42 / (30 * 1_073_000_000d / 42));
        assertThat(token(created)).isEmpty();
    }

    /**
     * The route configuration itself (routes/error-handling.camel.yaml): a deterministic exception that is not a
     * {@link FrameRejectedException} (here NumberFormatException, as BigDecimal throws it) is tried once and
     * dead-lettered; a transient one (Redis unreachable) is retried 5 times first. Fails before the fix: the
     * deterministic one was retried 5 times too.
     */
    @Test
    void theIngestErrorHandlingRetriesOnlyTransientFailures() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        if (camel.getRoute("hostile-frame-test-errors") == null) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:hostile-frame-test-errors").routeId("hostile-frame-test-errors")
                            .routeConfigurationId("ingest-error-handling")
                            .setProperty(RejectedFrames.RAW_FRAME, body())
                            .process(exchange -> {
                                attempts.incrementAndGet();
                                throw exchange.getIn().getHeader("failure", RuntimeException.class);
                            });
                }
            });
        }
        redis.delete(keys.deadLetters());

        attempts.set(0);
        long started = System.nanoTime();
        Exchange deterministic = producer.request("direct:hostile-frame-test-errors", e -> {
            e.getIn().setBody("{\"deterministic\":true}");
            e.getIn().setHeader("failure", new NumberFormatException("Infinite or NaN"));
        });
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(deterministic.getException()).as("handled").isNull();
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(redeliveries.get()).isZero();
        assertThat(tookMillis).isLessThan(RETRY_SCHEDULE_MILLIS / 2);
        assertThat(deadLetterReasons(1)).containsExactly("PROCESSING_FAILED");

        attempts.set(0);
        producer.request("direct:hostile-frame-test-errors", e -> {
            e.getIn().setBody("{\"transient\":true}");
            e.getIn().setHeader("failure", new RedisConnectionFailureException("Redis is down"));
        });
        assertThat(attempts.get()).isEqualTo(6);
        assertThat(redeliveries.get()).as("the redelivery counter sees redeliveries").isEqualTo(5);
        assertThat(redis.opsForList().size(keys.deadLetters())).isEqualTo(2);
    }
}
