package io.tokendiscovery.simulator;

import io.tokendiscovery.ingest.SampleFrames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator over real WebSockets: protocol, subscriptions, limits, rates and the test hooks. */
class PumpPortalSimulatorTest {

    private static final String FUNDED_KEY = "simulator-dev-key";
    private static final String SENTINEL = "{\"sentinel\":true}";

    private static Vertx vertx;
    private static WebSocketClient client;

    private final List<WsTestClient> clients = new ArrayList<>();
    private PumpPortalSimulator sim;

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
        client = vertx.createWebSocketClient(
                new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(16 << 20));
    }

    @AfterAll
    static void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @AfterEach
    void stop() {
        clients.forEach(WsTestClient::close);
        if (sim != null) {
            sim.stop();
        }
    }

    private PumpPortalSimulator start(Consumer<SimulatorProperties> custom) {
        SimulatorProperties p = new SimulatorProperties();
        p.setFramesPerSecond(0);
        p.setSeed(12345L);
        custom.accept(p);
        sim = new PumpPortalSimulator(p, vertx);
        sim.start();
        return sim;
    }

    private WsTestClient connect(boolean funded) throws Exception {
        WsTestClient c = WsTestClient.connect(client, sim.url() + (funded ? "?api-key=" + FUNDED_KEY : ""));
        clients.add(c);
        return c;
    }

    /** Messages that arrived before the sentinel, without the sentinel. */
    private static List<String> untilSentinel(WsTestClient c) {
        c.awaitExactly(SENTINEL);
        List<String> all = c.messages();
        return new ArrayList<>(all.subList(0, all.indexOf(SENTINEL)));
    }

    private static String subscribe(String method, Iterable<String> keys) {
        StringBuilder sb = new StringBuilder("{\"method\":\"").append(method).append("\",\"keys\":[");
        boolean first = true;
        for (String k : keys) {
            sb.append(first ? "" : ",").append('"').append(k).append('"');
            first = false;
        }
        return sb.append("]}").toString();
    }

    @Test
    void answersWithTheAcksAndTheFundedKeyNoticeVerbatim() throws Exception {
        start(p -> {});
        assertThat(sim.url()).matches("ws://127\\.0\\.0\\.1:\\d+/api/data");

        WsTestClient free = connect(false);
        free.send("{\"method\":\"subscribeNewToken\"}");
        free.awaitExactly(SampleFrames.get(SampleFrames.ACK_NEW_TOKEN));
        free.send("{\"method\":\"subscribeMigration\"}");
        free.awaitExactly(SampleFrames.get(SampleFrames.ACK_MIGRATION));
        free.send(subscribe("subscribeTokenTrade", List.of("8yZ1rj5nHbUFuCbnoowE6rHLZYiuTe1tbxEskgzUpump")));
        free.send(subscribe("subscribeAccountTrade", List.of("HDypasvYsG5MuABAfaTf78FVYMmYedcbefZ7pxWEhVQV")));
        await().until(() -> free.messages().size() == 4);
        assertThat(free.messages()).containsExactly(
                SampleFrames.get(SampleFrames.ACK_NEW_TOKEN),
                SampleFrames.get(SampleFrames.ACK_MIGRATION),
                SampleFrames.get(SampleFrames.FUNDED_KEY_NOTICE),
                SampleFrames.get(SampleFrames.FUNDED_KEY_NOTICE));
        assertThat(sim.unfundedRefusals()).isEqualTo(2);

        WsTestClient wrongKey = WsTestClient.connect(client, sim.url() + "?api-key=not-funded");
        clients.add(wrongKey);
        wrongKey.send(subscribe("subscribeTokenTrade", List.of("x")));
        wrongKey.awaitExactly(SampleFrames.get(SampleFrames.FUNDED_KEY_NOTICE));

        WsTestClient funded = connect(true);
        funded.send(subscribe("subscribeTokenTrade", List.of("8yZ1rj5nHbUFuCbnoowE6rHLZYiuTe1tbxEskgzUpump")));
        funded.send(subscribe("subscribeAccountTrade", List.of("HDypasvYsG5MuABAfaTf78FVYMmYedcbefZ7pxWEhVQV")));
        await().until(() -> funded.messages().size() == 2);
        assertThat(funded.messages()).containsOnly(SampleFrames.get(SampleFrames.ACK_KEYS));
        assertThat(sim.subscribedMints()).containsExactly("8yZ1rj5nHbUFuCbnoowE6rHLZYiuTe1tbxEskgzUpump");
        assertThat(sim.connections()).anySatisfy(ci -> {
            assertThat(ci.funded()).isTrue();
            assertThat(ci.accounts()).containsExactly("HDypasvYsG5MuABAfaTf78FVYMmYedcbefZ7pxWEhVQV");
        });
    }

    @Test
    void answersBadRequestsWithAnErrorsFrameAndKeepsTheConnection() throws Exception {
        start(p -> {});
        WsTestClient c = connect(true);
        List<String> bad = List.of(
                "{\"method\":\"subscribeEverything\"}",
                "{\"method\":\"unsubscribeMigration\"}",
                "not json at all",
                "[1,2,3]",
                "{\"keys\":[\"a\"]}",
                "{\"method\":\"subscribeTokenTrade\"}",
                "{\"method\":\"subscribeTokenTrade\",\"keys\":[1,2]}",
                subscribe("subscribeTokenTrade", IntStream.rangeClosed(1, 5001).mapToObj(i -> "mint" + i).toList()));
        for (String b : bad) {
            c.send(b);
        }
        await().until(() -> c.messages().size() == bad.size());
        for (String m : c.messages()) {
            JsonNode node = SampleFrames.parse(m);
            assertThat(SampleFrames.keys(node)).containsExactly("errors");
            assertThat(node.get("errors").isTextual()).isTrue();
        }
        assertThat(c.messages().get(bad.size() - 1)).contains("5000");
        assertThat(sim.errorFramesSent()).isEqualTo(bad.size());
        assertThat(sim.subscribedMints()).isEmpty();

        // exactly 5000 keys is allowed, and the connection still works
        c.clear();
        c.send(subscribe("subscribeTokenTrade", IntStream.rangeClosed(1, 5000).mapToObj(i -> "mint" + i).toList()));
        c.awaitExactly(PumpPortalSimulator.ACK_KEYS);
        assertThat(sim.subscribedMints()).hasSize(5000);
        assertThat(sim.receivedClientMessages()).hasSize(bad.size() + 1).startsWith(bad.get(0), bad.get(1));
    }

    @Test
    void enforces200SubscriptionMessagesPerSecond() throws Exception {
        start(p -> {});
        WsTestClient c = connect(false);
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            writes.add(c.ws.writeTextMessage("{\"method\":\"subscribeNewToken\"}").toCompletionStage().toCompletableFuture());
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
        await().until(() -> c.messages().size() == 400);
        long acks = c.messages().stream().filter(PumpPortalSimulator.ACK_NEW_TOKEN::equals).count();
        long errors = c.messages().stream().filter(m -> m.startsWith("{\"errors\":")).count();
        assertThat(acks + errors).isEqualTo(400);
        assertThat(acks).isGreaterThanOrEqualTo(200);
        assertThat(errors).isPositive().isEqualTo(sim.rateLimitedMessages());
    }

    @Test
    void deliversTradesOnlyForSubscribedMintsAndOnlyWithAFundedKey() throws Exception {
        start(p -> {});
        sim.emitNow(3_000);
        List<String> hottest = sim.market().activeMints().stream()
                .sorted(Comparator.comparingLong(sim.market()::tradeCount).reversed())
                .limit(3)
                .toList();
        WsTestClient funded = connect(true);
        WsTestClient free = connect(false);
        WsTestClient idle = connect(true);
        funded.send(subscribe("subscribeTokenTrade", hottest));
        free.send(subscribe("subscribeTokenTrade", hottest));
        funded.awaitExactly(PumpPortalSimulator.ACK_KEYS);
        free.awaitExactly(PumpPortalSimulator.NOTICE_UNFUNDED);
        funded.clear();
        free.clear();

        List<SimulatedFrame> frames = sim.emitNow(3_000);
        sim.sendRaw(SENTINEL);
        List<String> expected = frames.stream()
                .filter(f -> f.isTrade() && hottest.contains(f.mint()))
                .map(SimulatedFrame::json)
                .toList();
        assertThat(expected).hasSizeGreaterThan(50);
        assertThat(untilSentinel(funded)).isEqualTo(expected);
        assertThat(untilSentinel(free)).isEmpty();
        assertThat(untilSentinel(idle)).isEmpty();

        // unsubscribing one mint stops its trades
        funded.clear();
        funded.send(subscribe("unsubscribeTokenTrade", hottest.subList(0, 1)));
        funded.awaitExactly(PumpPortalSimulator.ACK_UNSUBSCRIBE_KEYS);
        funded.clear();
        List<SimulatedFrame> more = sim.emitNow(2_000);
        sim.sendRaw(SENTINEL);
        assertThat(untilSentinel(funded)).isEqualTo(more.stream()
                .filter(f -> f.isTrade() && hottest.subList(1, 3).contains(f.mint()))
                .map(SimulatedFrame::json)
                .toList());
    }

    @Test
    void deliversAccountTradesForSubscribedWallets() throws Exception {
        start(p -> {});
        List<SimulatedFrame> warmup = sim.emitNow(3_000);
        Set<String> wallets = warmup.stream()
                .filter(SimulatedFrame::isTrade)
                .map(SimulatedFrame::trader)
                .limit(300)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        WsTestClient c = connect(true);
        c.send(subscribe("subscribeAccountTrade", wallets));
        c.awaitExactly(PumpPortalSimulator.ACK_KEYS);
        c.clear();
        List<SimulatedFrame> frames = sim.emitNow(3_000);
        sim.sendRaw(SENTINEL);
        List<String> expected = frames.stream()
                .filter(f -> f.isTrade() && wallets.contains(f.trader()))
                .map(SimulatedFrame::json)
                .toList();
        assertThat(expected).isNotEmpty();
        assertThat(untilSentinel(c)).isEqualTo(expected);
    }

    @Test
    void firehoseSendsEveryTradeToEveryConnection() throws Exception {
        start(p -> p.setFirehose(true));
        WsTestClient free = connect(false);
        WsTestClient funded = connect(true);
        List<SimulatedFrame> frames = sim.emitNow(1_000);
        sim.sendRaw(SENTINEL);
        List<String> trades = frames.stream().filter(SimulatedFrame::isTrade).map(SimulatedFrame::json).toList();
        assertThat(trades).hasSizeGreaterThan(800);
        assertThat(untilSentinel(free)).isEqualTo(trades);
        assertThat(untilSentinel(funded)).isEqualTo(trades);

        sim.setFirehose(false);
        free.clear();
        sim.emitNow(100);
        sim.sendRaw(SENTINEL);
        assertThat(untilSentinel(free)).isEmpty();
    }

    @Test
    void sendsCreatesAndTheMigrationOfEveryCompletedCurve() throws Exception {
        start(p -> {
            p.setMaxActiveMints(5);
            p.setMeanTradeSol(4);
            p.setBuyBias(0.9);
        });
        WsTestClient c = connect(false);
        c.send("{\"method\":\"subscribeNewToken\"}");
        c.send("{\"method\":\"subscribeMigration\"}");
        await().until(() -> c.messages().size() == 2);
        c.clear();
        List<SimulatedFrame> frames = new ArrayList<>();
        for (int i = 0; i < 20 && sim.market().migrations() < 3; i++) {
            frames.addAll(sim.emitNow(1_000));
        }
        sim.sendRaw(SENTINEL);
        List<SimulatedFrame> migrations = frames.stream().filter(SimulatedFrame::isMigration).toList();
        assertThat(migrations).hasSizeGreaterThanOrEqualTo(3);
        assertThat(untilSentinel(c)).isEqualTo(frames.stream()
                .filter(f -> f.isCreate() || f.isMigration())
                .map(SimulatedFrame::json)
                .toList());
        for (SimulatedFrame m : migrations) {
            assertThat(SampleFrames.keys(SampleFrames.parse(m.json())))
                    .isEqualTo(SampleFrames.keys(SampleFrames.json(SampleFrames.MIGRATE)));
            MintStats stats = sim.market().mintStats(m.mint());
            assertThat(stats.migrated()).isTrue();
            assertThat(stats.onCurve()).isFalse();
            SimulatedFrame completing = sim.market().lastPricedFrame(m.mint());
            assertThat(completing.vTokens()).isEqualTo(BondingCurve.COMPLETE_VIRTUAL_TOKENS);
            assertThat(completing.marketCapSol()).isBetween(410.0, 411.0);
            assertThat(completing.seq()).isEqualTo(m.seq() - 1);
        }

        c.clear();
        c.send("{\"method\":\"unsubscribeNewToken\"}");
        c.awaitExactly(PumpPortalSimulator.ACK_UNSUBSCRIBE_NEW_TOKEN);
        c.clear();
        List<SimulatedFrame> after = sim.emitNow(2_000);
        sim.sendRaw(SENTINEL);
        assertThat(untilSentinel(c)).isEqualTo(after.stream()
                .filter(SimulatedFrame::isMigration)
                .map(SimulatedFrame::json)
                .toList());
    }

    @Test
    void pacesFramesAtTheConfiguredRate() throws Exception {
        start(p -> p.setFirehose(true));
        WsTestClient c = WsTestClient.connect(client, sim.url(), false);
        clients.add(c);
        c.send("{\"method\":\"subscribeNewToken\"}");
        c.send("{\"method\":\"subscribeMigration\"}");
        await().until(() -> c.count() == 2);
        long generatedBefore = sim.framesGenerated();
        long skippedBefore = sim.skippedFrames();

        long t0 = System.nanoTime();
        sim.setFramesPerSecond(5_000);
        // about 2 s of pacing: until 10,000 frames were due (generated, or skipped when the loop fell behind)
        await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(10)).until(() ->
                sim.framesGenerated() - generatedBefore + sim.skippedFrames() - skippedBefore >= 10_000);
        sim.setFramesPerSecond(0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        sim.emitNow(0); // a tick in progress has finished once this has run on the event loop

        long generated = sim.framesGenerated() - generatedBefore;
        await().atMost(Duration.ofSeconds(20)).until(() -> c.count() - 2 + sim.droppedFrames() == generated);
        assertThat(sim.droppedFrames()).isZero();
        // pacing follows the wall clock: every frame due is generated, or counted as skipped when the loop falls
        // more than 0.5 s behind, except what was still owed (at most 0.5 s worth) when the rate went to 0.
        // Throughput itself is a benchmark figure, not asserted here.
        long skipped = sim.skippedFrames() - skippedBefore;
        assertThat((double) (generated + skipped)).isBetween(5_000 * (seconds - 0.5) * 0.95, 5_000 * seconds * 1.05);
        assertThat(generated).isPositive();
    }

    @Test
    void dropsFramesForAClientThatDoesNotRead() throws Exception {
        start(p -> p.setFirehose(true));
        WsTestClient slow = WsTestClient.connect(client, sim.url(), false);
        clients.add(slow);
        slow.ws.pause();
        long generated = 0;
        for (int i = 0; i < 20 && sim.droppedFrames() == 0; i++) {
            generated += sim.emitNow(20_000).stream().filter(SimulatedFrame::isTrade).count();
        }
        assertThat(sim.droppedFrames()).isPositive();
        assertThat(sim.connectionCount()).isEqualTo(1);
        assertThat(sim.framesSent() + sim.droppedFrames()).isEqualTo(generated);
        slow.ws.resume();
        await().atMost(Duration.ofSeconds(30)).until(() -> slow.count() == sim.framesSent());
    }

    @Test
    void countsConnectionsAndClosesOrResetsThem() throws Exception {
        start(p -> {});
        WsTestClient a = connect(false);
        WsTestClient b = connect(true);
        await().until(() -> sim.connectionCount() == 2);
        assertThat(sim.totalConnections()).isEqualTo(2);
        assertThat(sim.maxConcurrentConnections()).isEqualTo(2);

        sim.closeAllConnections();
        await().until(() -> a.closed && b.closed);
        assertThat(a.closeStatus).isEqualTo((short) 1000);
        assertThat(b.closeStatus).isEqualTo((short) 1000);
        assertThat(a.closeReason).isEqualTo("Simulator closing connection");
        assertThat(a.failure).isNull();
        await().until(() -> sim.connectionCount() == 0);

        WsTestClient c = connect(false);
        await().until(() -> sim.connectionCount() == 1);
        sim.resetAllConnections();
        // an RST and no close frame: the client sees a reset socket and no close reason
        // (Vert.x 4.5 still reports status 1000 for a connection that closed without a close frame)
        await().until(() -> c.closed && c.failure != null);
        assertThat(c.failure).isInstanceOf(java.net.SocketException.class).hasMessageContaining("reset");
        assertThat(c.closeReason).isNull();
        await().until(() -> sim.connectionCount() == 0);
        assertThat(sim.totalConnections()).isEqualTo(3);
        assertThat(sim.maxConcurrentConnections()).isEqualTo(2);
    }

    @Test
    void recordsClientMessagesInOrder() throws Exception {
        start(p -> {});
        WsTestClient c = connect(true);
        List<String> sent = List.of("{\"method\":\"subscribeNewToken\"}", "{\"method\":\"subscribeMigration\"}",
                subscribe("subscribeTokenTrade", List.of("m1", "m2")), "garbage");
        for (String s : sent) {
            c.send(s);
        }
        await().until(() -> c.messages().size() == 4);
        assertThat(sim.receivedClientMessages()).isEqualTo(sent);
        sim.clearReceivedClientMessages();
        assertThat(sim.receivedClientMessages()).isEmpty();
    }

    @Test
    void servesWebSocketsOnlyOnItsPath() throws Exception {
        start(p -> {});
        String other = sim.url().replace("/api/data", "/other");
        assertThatThrownBy(() -> WsTestClient.connect(client, other))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(404));
        HttpResponse<String> plain = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(sim.url().replace("ws://", "http://"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(400);
        assertThat(sim.totalConnections()).isZero();
    }

    @Test
    void answersPings() throws Exception {
        start(p -> {});
        WsTestClient c = connect(false);
        c.ping();
        await().until(() -> c.pongs() == 1);
    }

    @Test
    void pauseStopsTheTimerAndResumeRestartsIt() throws Exception {
        start(p -> p.setFramesPerSecond(500));
        await().until(() -> sim.framesGenerated() > 10);
        sim.pause();
        assertThat(sim.isPaused()).isTrue();
        sim.emitNow(0);
        long frozen = sim.framesGenerated();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> sim.framesGenerated() == frozen);
        // emitNow still works while paused
        assertThat(sim.emitNow(5)).hasSize(5);
        sim.resume();
        await().until(() -> sim.framesGenerated() > frozen + 50);
    }

    @Test
    void stopIsCleanAndRestartable() throws Exception {
        start(p -> {});
        WsTestClient c = connect(false);
        sim.stop();
        await().until(() -> c.closed);
        assertThat(sim.isRunning()).isFalse();
        assertThatThrownBy(sim::url).isInstanceOf(IllegalStateException.class);
        sim.stop(); // idempotent
        sim.start();
        WsTestClient again = connect(false);
        again.send("{\"method\":\"subscribeNewToken\"}");
        again.awaitExactly(PumpPortalSimulator.ACK_NEW_TOKEN);
        assertThat(sim.isRunning()).isTrue();
    }
}
