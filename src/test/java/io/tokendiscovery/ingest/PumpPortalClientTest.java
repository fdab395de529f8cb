package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.HealthStatuses;
import io.tokendiscovery.TestProperties;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import io.tokendiscovery.simulator.SimulatorProperties;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Status;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The client against a real local WebSocket server (the simulator) that closes, resets, freezes and goes away:
 * exactly one connection, every subscription re-sent in chunks on every connect, pings, stall watchdog, backoff,
 * zombie re-subscription, TLS, and an API key that never shows.
 */
@ExtendWith(OutputCaptureExtension.class)
class PumpPortalClientTest {

    static final String SECRET = "sk-very-secret-pumpportal-key-123";

    private Vertx vertx;
    private PumpPortalSimulator simulator;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> frames = Collections.synchronizedList(new ArrayList<>());
    private final List<PumpPortalClient> clients = new ArrayList<>();
    private TradeSubscriptions subscriptions;

    @BeforeEach
    void startSimulator() {
        vertx = Vertx.vertx();
        SimulatorProperties settings = new SimulatorProperties();
        settings.setFramesPerSecond(0);
        settings.setSeed(11L);
        settings.setApiKeys(List.of("simulator-dev-key", SECRET));
        simulator = new PumpPortalSimulator(settings, vertx);
        simulator.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        clients.forEach(PumpPortalClient::stop);
        if (simulator.isRunning()) {
            simulator.stop();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private PumpPortalClient client(Map<String, Object> overrides, String query) {
        Map<String, Object> props = new HashMap<>(Map.of(
                // ping and pong loose enough that a GC pause or a busy 2-core machine never looks like a dead
                // peer (an extra reconnect would break the exact connection counts below)
                "tokendiscovery.pumpportal.ping-interval", "1s",
                "tokendiscovery.pumpportal.pong-timeout", "3s",
                "tokendiscovery.pumpportal.stall-timeout", "1h",
                "tokendiscovery.pumpportal.initial-backoff", "40ms",
                "tokendiscovery.pumpportal.max-backoff", "300ms",
                "tokendiscovery.pumpportal.backoff-reset-after", "1s"));
        props.putAll(overrides);
        TokenDiscoveryProperties properties = TestProperties.with(props);
        subscriptions = new TradeSubscriptions(properties, Clock.systemUTC(), meters);
        PumpPortalClient client = new PumpPortalClient(vertx, properties, subscriptions, Clock.systemUTC(), meters,
                () -> simulator.url() + query);
        clients.add(client);
        return client;
    }

    private PumpPortalClient client() {
        return client(Map.of(), "?api-key=simulator-dev-key");
    }

    private void start(PumpPortalClient client) {
        client.start((text, binary, seq, at) -> frames.add(text));
    }

    private static List<String> mints(int n) {
        List<String> mints = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] bytes = ByteBuffer.allocate(32).putInt(i + 1).putLong(0x5eed5eedL).array();
            mints.add(Base58.encode(bytes));
        }
        return mints;
    }

    private List<Integer> keyCounts(List<String> messages, String method) {
        List<Integer> counts = new ArrayList<>();
        for (String message : messages) {
            JsonNode json = SampleFrames.parse(message);
            if (method.equals(json.path("method").asText())) {
                counts.add(json.path("keys").size());
            }
        }
        return counts;
    }

    private void awaitStreaming(PumpPortalClient client) {
        await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == ConnectionState.STREAMING);
    }

    @Test
    void everyConnectSendsAllSubscriptionsInChunksOfAtMost5000Keys() {
        PumpPortalClient client = client();
        List<String> watched = mints(12_000);
        start(client);
        awaitStreaming(client);
        simulator.clearReceivedClientMessages();
        subscriptions.replaceWatched(watched);
        client.sendSubscriptionChanges();
        await().atMost(Duration.ofSeconds(5)).until(() -> simulator.subscribedMints().size() == 12_000);
        assertThat(keyCounts(simulator.receivedClientMessages(), "subscribeTokenTrade")).containsExactly(5000, 5000, 2000);

        for (Runnable breakIt : List.<Runnable>of(simulator::resetAllConnections, simulator::closeAllConnections)) {
            long before = simulator.totalConnections();
            simulator.clearReceivedClientMessages();
            breakIt.run();
            await().atMost(Duration.ofSeconds(10)).until(() -> simulator.totalConnections() == before + 1
                    && client.state() == ConnectionState.STREAMING && simulator.subscribedMints().size() == 12_000);
            List<String> sent = simulator.receivedClientMessages();
            assertThat(sent.get(0)).isEqualTo("{\"method\":\"subscribeNewToken\"}");
            assertThat(sent.get(1)).isEqualTo("{\"method\":\"subscribeMigration\"}");
            assertThat(keyCounts(sent, "subscribeTokenTrade")).containsExactly(5000, 5000, 2000);
            assertThat(sent).hasSize(5);
            List<String> resent = new ArrayList<>();
            sent.subList(2, 5).forEach(m -> SampleFrames.parse(m).path("keys").forEach(k -> resent.add(k.asText())));
            assertThat(resent).containsExactlyInAnyOrderElementsOf(watched);
        }
        assertThat(simulator.maxConcurrentConnections()).isEqualTo(1);
        assertThat(client.lastDisconnectReason()).contains("closed by server");
    }

    @Test
    void subscriptionChangesGoOutAsBatchedDiffsWithinTheRateLimit() {
        PumpPortalClient client = client(Map.of("tokendiscovery.pumpportal.max-keys-per-message", "10"), "?api-key=simulator-dev-key");
        start(client);
        awaitStreaming(client);
        List<String> first = mints(3_000);
        subscriptions.replaceWatched(first);
        client.sendSubscriptionChanges();
        // 300 messages of 10 keys at <= 200 a second: the simulator counts any message over its limit
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.subscribedMints().size() == 3_000);
        assertThat(simulator.rateLimitedMessages()).isZero();

        simulator.clearReceivedClientMessages();
        List<String> next = new ArrayList<>(first.subList(0, 2_995));
        next.add(mints(3_001).get(3_000));
        subscriptions.replaceWatched(next);
        client.sendSubscriptionChanges();
        await().atMost(Duration.ofSeconds(5)).until(() -> simulator.receivedClientMessages().size() == 2);
        assertThat(keyCounts(simulator.receivedClientMessages(), "unsubscribeTokenTrade")).containsExactly(5);
        assertThat(keyCounts(simulator.receivedClientMessages(), "subscribeTokenTrade")).containsExactly(1);
    }

    @Test
    void aConnectionThatStopsAnsweringPingsIsReplaced() {
        PumpPortalClient client = client();
        start(client);
        awaitStreaming(client);
        simulator.freezeAllConnections();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.lastDisconnectReason().contains("no pong"));
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.totalConnections() == 2
                && client.state() == ConnectionState.STREAMING);
    }

    @Test
    void aSilentFeedIsReconnectedByTheStallWatchdog() {
        PumpPortalClient client = client(Map.of("tokendiscovery.pumpportal.stall-timeout", "1500ms"), "?api-key=simulator-dev-key");
        start(client);
        awaitStreaming(client);
        // acks and pongs keep coming, but no data frame: that is a stall
        await().atMost(Duration.ofSeconds(10)).until(() -> client.lastDisconnectReason().startsWith("stalled"));
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.totalConnections() >= 2);
        simulator.setFramesPerSecond(200);
        long connections = simulator.totalConnections();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == ConnectionState.STREAMING);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> simulator.totalConnections() == connections);
    }

    @Test
    void backoffGrowsWhileTheServerIsDownAndResetsAfterAHealthyPeriod(CapturedOutput output) {
        PumpPortalClient client = client();
        start(client);
        awaitStreaming(client);
        simulator.stop();
        await().atMost(Duration.ofSeconds(20)).until(() -> client.failedAttempts() >= 6);
        assertThat(meters.get("tokendiscovery.pumpportal.reconnects").counter().count()).isGreaterThanOrEqualTo(5);
        assertThat(client.state()).isIn(ConnectionState.BACKING_OFF, ConnectionState.CONNECTING);
        // attempt 6 waits between half and all of min(300, 40 x 2^5) ms
        assertThat(output.getOut()).containsPattern("reconnect attempt 6 in (1[5-9]\\d|2\\d\\d|300) ms");
        simulator.start();
        awaitStreaming(client);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.failedAttempts() == 0);
    }

    @Test
    void healthStaysUpThroughAShortReconnectAndIsDegradedAfterTheGrace() {
        TokenDiscoveryProperties properties = TestProperties.with(Map.of("tokendiscovery.ops.feed-down-grace", "2s"));
        PumpPortalClient client = client();
        PumpPortalHealthIndicator health = new PumpPortalHealthIndicator(client, subscriptions,
                new TradeBudget(subscriptions, Clock.systemUTC(), properties, meters), Clock.systemUTC(), properties);
        assertThat(health.health().getStatus()).isEqualTo(Status.UNKNOWN);   // not started: another replica leads
        start(client);
        awaitStreaming(client);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);

        simulator.stop();
        // reconnect rounds (connect, back off, connect ...) within the grace: still UP
        await().atMost(Duration.ofSeconds(5)).until(() -> client.failedAttempts() >= 2);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(health.health().getDetails()).containsEntry("reconnecting", true);
        assertThat(meters.get("tokendiscovery.pumpportal.down").gauge().value()).isPositive();
        // down longer than the grace, over many rounds: DEGRADED (never readiness: docs/operations.md#health)
        await().atMost(Duration.ofSeconds(10)).until(() -> health.health().getStatus().equals(HealthStatuses.DEGRADED));

        simulator.start();
        awaitStreaming(client);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(meters.get("tokendiscovery.pumpportal.down").gauge().value()).isZero();
    }

    @Test
    void silentMintsAreResubscribed() {
        PumpPortalClient client = client(Map.of("tokendiscovery.pumpportal.zombie-timeout", "500ms"), "?api-key=simulator-dev-key");
        start(client);
        awaitStreaming(client);
        String silent = mints(1).get(0);
        subscriptions.replaceWatched(List.of(silent));
        client.sendSubscriptionChanges();
        await().atMost(Duration.ofSeconds(5)).until(() -> simulator.subscribedMints().contains(silent));
        simulator.clearReceivedClientMessages();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            client.resubscribeZombies();
            assertThat(simulator.receivedClientMessages()).containsExactly(
                    "{\"method\":\"unsubscribeTokenTrade\",\"keys\":[\"" + silent + "\"]}",
                    "{\"method\":\"subscribeTokenTrade\",\"keys\":[\"" + silent + "\"]}");
        });
        assertThat(meters.get("tokendiscovery.pumpportal.zombie.resubscribes").counter().count()).isEqualTo(1);
    }

    @Test
    void framesArriveInOrderWithStrictlyIncreasingSequences() {
        PumpPortalClient client = client();
        List<long[]> seqs = Collections.synchronizedList(new ArrayList<>());
        client.start((text, binary, seq, at) -> {
            if (!text.startsWith("{")) {
                seqs.add(new long[] {seq, Long.parseLong(text)});
            }
        });
        awaitStreaming(client);
        for (int i = 0; i < 20_000; i++) {
            simulator.sendRaw(Integer.toString(i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> seqs.size() >= 20_000);
        long previousSeq = 0;
        long expected = 0;
        for (long[] s : new ArrayList<>(seqs)) {
            assertThat(s[0]).isGreaterThan(previousSeq);
            previousSeq = s[0];
            assertThat(s[1]).isEqualTo(expected++);
        }
    }

    /** A TLS WebSocket server on an ephemeral port whose self-signed certificate names {@code host}. */
    private io.vertx.core.http.HttpServer tlsServer(Path dir, String host, Path certificate,
            java.util.concurrent.atomic.AtomicInteger accepted) throws Exception {
        Path keyStore = dir.resolve(host + ".p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + host,
                "-ext", "SAN=dns:" + host, "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(), "-storepass", "changeit",
                "-file", certificate.toString());
        return vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                        .setKeyCertOptions(new PfxOptions().setPath(keyStore.toString()).setPassword("changeit")))
                .webSocketHandler(ws -> {
                    accepted.incrementAndGet();
                    ws.writeTextMessage("{\"message\":\"hello over TLS\"}");
                })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private PumpPortalClient tlsClient(Path certificate, int port) {
        TokenDiscoveryProperties properties = TestProperties.with(Map.of(
                "tokendiscovery.pumpportal.trust-certificates", certificate.toString(),
                "tokendiscovery.pumpportal.initial-backoff", "40ms",
                "tokendiscovery.pumpportal.max-backoff", "300ms"));
        subscriptions = new TradeSubscriptions(properties, Clock.systemUTC(), meters);
        PumpPortalClient client = new PumpPortalClient(vertx, properties, subscriptions, Clock.systemUTC(), meters,
                () -> "wss://localhost:" + port + "/api/data");
        clients.add(client);
        return client;
    }

    @Test
    void wssWorksWithTlsAndHostnameVerification(@TempDir Path dir) throws Exception {
        Path certificate = dir.resolve("server.pem");
        var accepted = new java.util.concurrent.atomic.AtomicInteger();
        var server = tlsServer(dir, "localhost", certificate, accepted);
        try {
            start(tlsClient(certificate, server.actualPort()));
            await().atMost(Duration.ofSeconds(10)).until(() -> frames.contains("{\"message\":\"hello over TLS\"}"));
        } finally {
            server.close();
        }
    }

    /**
     * The negative case: a certificate the client trusts (it is in trust-certificates) but issued for another host
     * name is refused, so no WebSocket is ever opened and no frame arrives. Fails when host verification is turned
     * off ({@code setVerifyHost(false)} in PumpPortalClient; docs/testing.md, "Mutation checks").
     */
    @Test
    void wssRefusesATrustedCertificateIssuedForAnotherHost(@TempDir Path dir) throws Exception {
        Path certificate = dir.resolve("other.pem");
        var accepted = new java.util.concurrent.atomic.AtomicInteger();
        var server = tlsServer(dir, "other.example", certificate, accepted);
        try {
            PumpPortalClient client = tlsClient(certificate, server.actualPort());
            start(client);
            // several full connect attempts, each refused in the TLS handshake
            await().atMost(Duration.ofSeconds(20)).until(() -> client.failedAttempts() >= 3 || accepted.get() > 0);
            assertThat(accepted.get()).as("WebSocket upgrades the server accepted").isZero();
            assertThat(frames).isEmpty();
            assertThat(client.state()).isNotEqualTo(ConnectionState.STREAMING);
        } finally {
            server.close();
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(out).isZero();
    }

    @Test
    void theApiKeyIsNeverLoggedNorInAMetric(CapturedOutput output) {
        PumpPortalClient client = client(Map.of("tokendiscovery.pumpportal.api-key", SECRET), "");
        start(client);
        awaitStreaming(client);
        assertThat(simulator.connections().get(0).funded()).isTrue();
        simulator.resetAllConnections();
        simulator.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.failedAttempts() >= 3);
        assertThat(output.getAll()).contains("Connecting to PumpPortal at ws://").doesNotContain(SECRET);
        for (Meter meter : meters.getMeters()) {
            assertThat(meter.getId().toString()).doesNotContain(SECRET);
        }
        assertThat(TestProperties.with(Map.of("tokendiscovery.pumpportal.api-key", SECRET)).pumpportal().toString())
                .doesNotContain(SECRET);
    }
}
