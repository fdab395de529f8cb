package io.tokendiscovery.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TestProperties;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.TokenDiscoveryProperties.SolUsdSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** The sources are asked in order against stub HTTP servers; the first usable answer wins. */
class SolUsdSourcesTest {

    static final Instant START = Instant.parse("2025-06-01T12:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Logger logger = (Logger) LoggerFactory.getLogger(SolUsdSources.class);
    /**
     * This test's log events only: the SolUsdSources of Spring contexts other tests cached in this JVM keep
     * refreshing on their own threads and log to the same logger.
     */
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>() {
        private final String testThread = Thread.currentThread().getName();

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getThreadName().equals(testThread)) {
                super.append(event);
            }
        }
    };
    private Level previousLevel;
    private StubServer stub;

    @BeforeEach
    void start() {
        stub = new StubServer();
        previousLevel = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void stop() {
        logger.detachAppender(logs);
        logger.setLevel(previousLevel);
        stub.close();
    }

    private SolUsdSources sources(SolUsdSource... sources) {
        return new SolUsdSources(properties(Map.of(), sources), new ObjectMapper(), meters, clock);
    }

    /** With a real feed configured: USD values of real trades are at stake. */
    private SolUsdSources sourcesOfARealFeed(SolUsdSource... sources) {
        return new SolUsdSources(properties(Map.of("tokendiscovery.pumpportal.url", "wss://pumpportal.fun/api/data"),
                sources), new ObjectMapper(), meters, clock);
    }

    private String pumpFun(String price) {
        return "{\"solPrice\":" + price + ",\"asOfTimestamp\":" + clock.millis() + ",\"stale\":false}";
    }

    @Test
    void theFirstSourceAnsweringWins() {
        Instant asOf = START.minusSeconds(20);
        String first = stub.answer("/sol-price", () -> StubServer.ok(
                "{\"solPrice\":142.31,\"asOfTimestamp\":" + asOf.toEpochMilli() + ",\"stale\":false}"));
        String second = stub.answer("/second", () -> StubServer.ok("{\"price\":\"99\"}"));

        Optional<SolUsdQuote> quote = sources(
                new SolUsdSource("pump.fun", first, "/solPrice"), new SolUsdSource("binance", second, "/price")).fetch();

        // The exact decimal, the source's own timestamp, and the second source never asked.
        assertThat(quote).contains(new SolUsdQuote(new BigDecimal("142.31"), "pump.fun", asOf));
        assertThat(stub.hits("/second")).isZero();
        Headers request = stub.lastRequest("/sol-price");
        assertThat(request.getFirst("Accept")).isEqualTo("application/json");
        assertThat(request.getFirst("User-Agent")).isEqualTo(SolUsdSources.USER_AGENT);
    }

    @Test
    void numericStringsAndNestedPointersAreRead() {
        String binance = stub.answer("/binance", () -> StubServer.ok("{\"symbol\":\"SOLUSDT\",\"price\":\"142.31000000\"}"));
        String jupiter = stub.answer("/jupiter", () -> StubServer.ok("{\"So111\":{\"usdPrice\":141.5,\"decimals\":9}}"));

        assertThat(sources(new SolUsdSource("binance", binance, "/price")).fetch())
                .hasValueSatisfying(q -> {
                    assertThat(q.rate()).isEqualByComparingTo("142.31");
                    // Without a timestamp in the answer, the quote is as of the fetch.
                    assertThat(q.at()).isEqualTo(START);
                });
        assertThat(sources(new SolUsdSource("jupiter", jupiter, "/So111/usdPrice")).fetch())
                .hasValueSatisfying(q -> assertThat(q.rate()).isEqualByComparingTo("141.5"));
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("http_status", (Failing) (stub, clock) -> stub.answer("/first", () -> new StubServer.Reply(500, "{\"solPrice\":1}"))),
                Arguments.of("timeout", (Failing) (stub, clock) -> stub.hang("/first")),
                Arguments.of("io", (Failing) (stub, clock) -> "http://127.0.0.1:" + closedPort() + "/first"),
                Arguments.of("bad_json", (Failing) (stub, clock) -> stub.answer("/first", () -> StubServer.ok("<html>maintenance</html>"))),
                Arguments.of("bad_json", (Failing) (stub, clock) -> stub.answer("/first", () -> StubServer.ok(""))),
                Arguments.of("missing", (Failing) (stub, clock) -> stub.answer("/first", () -> StubServer.ok("{\"price\":142}"))),
                Arguments.of("missing", (Failing) (stub, clock) -> stub.answer("/first", () -> StubServer.ok("{\"solPrice\":\"n/a\"}"))),
                Arguments.of("missing", (Failing) (stub, clock) -> stub.answer("/first", () -> StubServer.ok("{\"solPrice\":0}"))),
                Arguments.of("stale", (Failing) (stub, clock) -> stub.answer("/first", () -> StubServer.ok(
                        "{\"solPrice\":142,\"asOfTimestamp\":" + clock.millis() + ",\"stale\":true}"))),
                Arguments.of("stale", (Failing) (stub, clock) -> stub.answer("/first", () -> StubServer.ok(
                        "{\"solPrice\":142,\"asOfTimestamp\":" + clock.instant().minus(Duration.ofMinutes(11)).toEpochMilli()
                                + ",\"stale\":false}"))));
    }

    /** Sets up a failing first source and returns its URL. */
    interface Failing {
        String url(StubServer stub, Clock clock);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void aFailingFirstSourceFallsThroughToTheSecond(String reason, Failing failing) {
        String first = failing.url(stub, clock);
        String second = stub.answer("/second", () -> StubServer.ok(pumpFun("143.5")));

        Optional<SolUsdQuote> quote = sources(
                new SolUsdSource("first", first, "/solPrice"), new SolUsdSource("second", second, "/solPrice")).fetch();

        assertThat(quote).hasValueSatisfying(q -> {
            assertThat(q.source()).isEqualTo("second");
            assertThat(q.rate()).isEqualByComparingTo("143.5");
        });
        assertThat(meters.get("tokendiscovery.pricing.sol.usd.failures").tag("source", "first").tag("reason", reason)
                .counter().count()).isEqualTo(1);
        // One DEBUG line naming the reason, no stack trace, nothing louder.
        assertThat(logs.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(event.getFormattedMessage()).startsWith("SOL/USD source first failed (" + reason + "): ");
            assertThat(event.getThrowableProxy()).isNull();
        });
    }

    @Test
    void allFailingWarnsOncePerOutageAndInformsOnRecovery() {
        AtomicReference<StubServer.Reply> reply = new AtomicReference<>(new StubServer.Reply(503, ""));
        String first = stub.answer("/first", reply::get);
        String second = "http://127.0.0.1:" + closedPort() + "/second";
        SolUsdSources sources = sources(
                new SolUsdSource("pump.fun", first, "/solPrice"), new SolUsdSource("binance", second, "/price"));

        assertThat(sources.fetch()).isEmpty();
        assertThat(sources.fetch()).isEmpty();
        assertThat(sources.fetch()).isEmpty();
        assertThat(warnings()).singleElement().satisfies(line -> assertThat(line)
                .contains("No SOL/USD source answered [pump.fun: http_status (HTTP 503), binance: io (cannot connect to 127.0.0.1:")
                .contains("until it is 10m old, then use the configured tokendiscovery.pricing.sol-usd=150. Retrying every 30s"));
        assertThat(meters.get("tokendiscovery.pricing.sol.usd.failures").tag("source", "pump.fun")
                .tag("reason", "http_status").counter().count()).isEqualTo(3);

        reply.set(StubServer.ok(pumpFun("142")));
        assertThat(sources.fetch()).isPresent();
        assertThat(sources.fetch()).isPresent();
        assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.INFO).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).isEqualTo("SOL/USD sources answer again: pump.fun gave 142"));

        reply.set(new StubServer.Reply(503, ""));
        assertThat(sources.fetch()).isEmpty();
        assertThat(warnings()).hasSize(2);
    }

    @Test
    void anUnresolvableHostReadsAsSuch() {
        // RFC 6761: .invalid never resolves, with or without internet access.
        assertThat(sourcesOfARealFeed(new SolUsdSource("offline", "http://sol-price.invalid/x", "/p")).fetch()).isEmpty();
        assertThat(warnings()).singleElement().satisfies(line -> assertThat(line)
                .contains("No SOL/USD source answered (none reachable: no network access?) "
                        + "[offline: io (cannot resolve sol-price.invalid)]"));
    }

    @Test
    void theSimulatedFeedOfflineIsOneInfoLine() {
        // the zero-setup run without internet access: nothing real is priced, so nothing is wrong
        SolUsdSources sources = sources(new SolUsdSource("offline", "http://sol-price.invalid/x", "/p"));
        assertThat(sources.fetch()).isEmpty();
        assertThat(sources.fetch()).isEmpty();
        assertThat(warnings()).isEmpty();
        // (filtered: a Spring test context still running in this JVM may log on the same logger)
        assertThat(infos()).filteredOn(line -> line.contains("reachable")).singleElement()
                .satisfies(line -> assertThat(line).contains("No SOL/USD source reachable (no network access?) "
                        + "[offline: io (cannot resolve sol-price.invalid)]; the simulated feed's USD values use the "
                        + "configured"));
    }

    @Test
    void aSourceAnsweringBadlyIsAWarningEvenForTheSimulatedFeed() {
        String broken = stub.answer("/sol-price", () -> new StubServer.Reply(503, ""));
        assertThat(sources(new SolUsdSource("pump.fun", broken, "/solPrice")).fetch()).isEmpty();
        assertThat(warnings()).singleElement().satisfies(line -> assertThat(line)
                .contains("No SOL/USD source answered [pump.fun: http_status (HTTP 503)]"));
    }

    @Test
    void noSourceConfiguredIsOneInfoLine() {
        SolUsdSources sources = sourcesOfARealFeed();
        assertThat(sources.fetch()).isEmpty();
        assertThat(sources.fetch()).isEmpty();
        assertThat(warnings()).isEmpty();
        assertThat(infos()).filteredOn(line -> line.contains("No SOL/USD source configured")).hasSize(1);
    }

    @Test
    void aMisconfiguredSourceFailsAtStartNotAtEveryRefresh() {
        assertThatThrownBy(() -> sources(new SolUsdSource("bad", "ftp://example.org/price", "/price")))
                .hasMessageContaining("SOL/USD source bad is misconfigured");
        assertThatThrownBy(() -> sources(new SolUsdSource("bad", "https://example.org/price", "price")))
                .hasMessageContaining("SOL/USD source bad is misconfigured");
    }

    @Test
    void listOverridesReplaceTheDefaultSources() {
        TokenDiscoveryProperties properties = properties(Map.of(), new SolUsdSource("stub", "http://127.0.0.1:1/x", "/p"));
        assertThat(properties.pricing().solUsdSources()).containsExactly(new SolUsdSource("stub", "http://127.0.0.1:1/x", "/p"));
        assertThat(TestProperties.defaults().pricing().solUsdSources()).extracting(SolUsdSource::name)
                .containsExactly("pump.fun", "jupiter", "binance", "coingecko");
    }

    private List<String> infos() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    /**
     * application.yaml's defaults with these sources instead of the public ones (an indexed list from a higher
     * property source replaces the yaml list as a whole), a 500 ms HTTP timeout and 10 minutes max-age.
     */
    static TokenDiscoveryProperties properties(Map<String, Object> overrides, SolUsdSource... sources) {
        Map<String, Object> all = new HashMap<>(overrides);
        all.putIfAbsent("tokendiscovery.pricing.sol-usd-http-timeout", "500ms");
        all.putIfAbsent("tokendiscovery.pricing.sol-usd-max-age", "10m");
        if (sources.length == 0) {
            // An empty list cannot be written as indexed properties; this reads as "no source at all".
            all.put("tokendiscovery.pricing.sol-usd-sources", "");
        }
        for (int i = 0; i < sources.length; i++) {
            all.put("tokendiscovery.pricing.sol-usd-sources[" + i + "].name", sources[i].name());
            all.put("tokendiscovery.pricing.sol-usd-sources[" + i + "].url", sources[i].url());
            all.put("tokendiscovery.pricing.sol-usd-sources[" + i + "].pointer", sources[i].pointer());
        }
        return TestProperties.with(all);
    }

    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {

        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** SOL/USD sources on 127.0.0.1: each path answers what its supplier says, or never. */
    static final class StubServer implements AutoCloseable {

        record Reply(int status, String body) {}

        static Reply ok(String body) {
            return new Reply(200, body);
        }

        private final HttpServer server;
        private final ExecutorService executor = Executors.newCachedThreadPool();
        /** Held by hanging handlers until the test ends: a timeout without sleeping. */
        private final CountDownLatch release = new CountDownLatch(1);
        private final Map<String, Integer> hits = new ConcurrentHashMap<>();
        private final Map<String, Headers> lastRequests = new ConcurrentHashMap<>();

        StubServer() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setExecutor(executor);
            server.start();
        }

        String answer(String path, Supplier<Reply> reply) {
            server.createContext(path, exchange -> {
                hits.merge(path, 1, Integer::sum);
                lastRequests.put(path, exchange.getRequestHeaders());
                Reply r = reply.get();
                byte[] body = r.body().getBytes(UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            return url(path);
        }

        String hang(String path) {
            server.createContext(path, exchange -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
            });
            return url(path);
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        int hits(String path) {
            return hits.getOrDefault(path, 0);
        }

        Headers lastRequest(String path) {
            return lastRequests.get(path);
        }

        @Override
        public void close() {
            release.countDown();
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
