package io.tokendiscovery.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TestPorts;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.ingest.ConnectionState;
import io.tokendiscovery.ingest.PumpPortalClient;
import io.tokendiscovery.ingest.TestFrames;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import io.tokendiscovery.devservices.EmbeddedServers;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The live-push server under abuse, in-process against real embedded Redis/PostgreSQL and the real routes: 10,000
 * subscribe entries, 1 MB messages, 1,000 messages a second from one client, 5,000 connection attempts and a
 * foreign Origin. Each gets its documented answer (close code and reason, HTTP 403, error message), is counted in
 * the metrics, leaves memory bounded, and the ingest and a well-behaved client carry on.
 *
 * <p>Last, {@link #ticksResumeAfterARedisRestartWithoutAReconnect}: the embedded Redis is stopped and restarted on
 * the same port under load; the subscriber recovers by itself and the UI client keeps its WebSocket.
 *
 * <p>Before the limits (commit 4a4aa2e) the server accepted all of it: the 10,000 mints were stored, the 1 MB
 * message was refused only by Vert.x's 64 KB default frame limit (with no reason given to the client and no
 * metric), any number of clients stayed connected, and the foreign origin was served.
 */
@CamelSpringBootTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.live.max-clients=50"
})
@ActiveProfiles("test")
class LivePushLimitsTest {

    static final int PORT = TestPorts.free();

    @DynamicPropertySource
    static void livePort(DynamicPropertyRegistry registry) {
        registry.add("tokendiscovery.live.port", () -> PORT);
    }

    @Autowired PumpPortalSimulator simulator;
    @Autowired PumpPortalClient client;
    @Autowired LivePush livePush;
    @Autowired MeterRegistry meters;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired Vertx vertx;
    @Autowired EmbeddedServers servers;

    double closedCount(String reason) {
        return meters.get("tokendiscovery.live.closed").tag("reason", reason).counter().count();
    }

    static LiveClient.Close closeOf(LiveClient client) throws Exception {
        return client.closed.get(15, TimeUnit.SECONDS);
    }

    static List<String> mints(int n, long salt) {
        return IntStream.range(0, n).mapToObj(i -> TestFrames.key32(i + 1, salt)).toList();
    }

    @Test
    void invalidMintsAreAnsweredWithAnErrorAndNotStored() throws Exception {
        double before = meters.get("tokendiscovery.live.client.errors").tag("code", "invalid-mint").counter().count();
        try (LiveClient ui = LiveClient.connect(vertx, PORT)) {
            String good = TestFrames.key32(1, 31);
            ui.send("{\"subscribe\":[\"not-a-mint\",\"" + good + "\",5,\"0OIl" + good.substring(4) + "\"]}");
            await().atMost(Duration.ofSeconds(10)).until(() -> !ui.ofType("subscribed").isEmpty());
            JsonNode error = ui.ofType("error").get(0);
            assertThat(error.path("code").asText()).isEqualTo("invalid-mint");
            assertThat(error.path("mints").toString()).contains("not-a-mint").contains("5");
            assertThat(ui.ofType("subscribed").get(0).path("mints").asInt()).as("only the valid mint is stored")
                    .isEqualTo(1);
            ui.send("{\"hello\":1}");
            ui.send("not json");
            await().atMost(Duration.ofSeconds(10)).until(() -> ui.ofType("error").size() == 3);
            assertThat(ui.ofType("error").get(2).path("code").asText()).isEqualTo("bad-message");
            assertThat(ui.closed).as("errors answered, connection kept").isNotDone();
        }
        assertThat(meters.get("tokendiscovery.live.client.errors").tag("code", "invalid-mint").counter().count())
                .isEqualTo(before + 3);
    }

    @Test
    void tenThousandSubscribeEntries() throws Exception {
        // in one message: about 470 KB, over max-message-size (32 KB)
        LiveClient oneMessage = LiveClient.connect(vertx, PORT);
        oneMessage.subscribe(mints(10_000, 32));
        LiveClient.Close refused = closeOf(oneMessage);
        System.out.println("10,000 entries in one 470 KB frame: " + refused);
        assertThat(refused.code()).as("1009, or the connection dropped by the frame decoder")
                .isIn(LivePush.MESSAGE_TOO_BIG, null);

        // in messages of 400 that each fit: the client is closed when it goes over max-mints-per-client (500)
        double before = closedCount("max-mints");
        LiveClient chunks = LiveClient.connect(vertx, PORT);
        List<String> all = mints(10_000, 33);
        for (int from = 0; from < all.size() && !chunks.closed.isDone(); from += 400) {
            chunks.subscribe(all.subList(from, from + 400));
            Thread.sleep(150);
        }
        assertThat(closeOf(chunks)).isEqualTo(new LiveClient.Close(LivePush.POLICY_VIOLATION,
                "too many mints: at most 500 per client"));
        assertThat(closedCount("max-mints")).isEqualTo(before + 1);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                meters.get("tokendiscovery.live.subscriptions").gauge().value() == 0);
    }

    @Test
    void oneMegabyteMessages() throws Exception {
        String megabyte = "{\"subscribe\":[\"" + "x".repeat(1 << 20) + "\"]}";
        // as one frame: refused by the server's frame limit
        LiveClient oneFrame = LiveClient.open(vertx, PORT, null, 2 << 20).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Thread.sleep(500);
        oneFrame.send(megabyte);
        LiveClient.Close close = closeOf(oneFrame);
        System.out.println("1 MB in one frame: " + close + ", too-big closes counted: " + closedCount("too-big"));
        // the frame decoder refuses it from its header (nothing of the payload is buffered); see docs/api.md
        assertThat(close.code()).isIn(LivePush.MESSAGE_TOO_BIG, null);

        // in 16 KB frames that each pass the frame limit: refused by the message limit
        double before = closedCount("too-big");
        LiveClient fragments = LiveClient.connect(vertx, PORT);
        Thread.sleep(500);   // the server handled the OPEN
        Buffer data = Buffer.buffer(megabyte);
        int part = 16 * 1024;
        for (int from = 0; from < data.length() && !fragments.closed.isDone(); from += part) {
            Buffer chunk = data.getBuffer(from, Math.min(data.length(), from + part));
            boolean last = from + part >= data.length();
            fragments.socket.writeFrame(from == 0 ? WebSocketFrame.textFrame(chunk.toString(), last)
                    : WebSocketFrame.continuationFrame(chunk, last));
        }
        assertThat(closeOf(fragments)).isEqualTo(new LiveClient.Close(LivePush.MESSAGE_TOO_BIG,
                "message too big: at most 32768 bytes"));
        assertThat(closedCount("too-big")).isGreaterThan(before);
    }

    @Test
    void aThousandMessagesASecondFromOneClient() throws Exception {
        double before = closedCount("rate");
        LiveClient chatty = LiveClient.connect(vertx, PORT);
        String mint = TestFrames.key32(1, 34);
        for (int i = 0; i < 1000 && !chatty.closed.isDone(); i++) {
            chatty.send(i % 2 == 0 ? "{\"subscribe\":[\"" + mint + "\"]}" : "{\"unsubscribe\":[\"" + mint + "\"]}");
            Thread.sleep(1);
        }
        assertThat(closeOf(chatty)).isEqualTo(new LiveClient.Close(LivePush.POLICY_VIOLATION,
                "too many messages: at most 10 per second"));
        assertThat(closedCount("rate")).isEqualTo(before + 1);
        // at most the burst (10) was handled: answered with "subscribed", the rest was refused
        assertThat(chatty.ofType("subscribed").size()).isLessThanOrEqualTo(10);
    }

    @Test
    void aForeignOriginCannotOpenTheSocket() throws Exception {
        double before = meters.get("tokendiscovery.live.origin.rejected").counter().count();
        Throwable refused = LiveClient.open(vertx, PORT, "https://evil.example", 65536)
                .toCompletionStage().toCompletableFuture().handle((ok, e) -> e).get(10, TimeUnit.SECONDS);
        assertThat(refused).as("handshake refused").isNotNull();
        assertThat(refused.toString()).contains("403");
        assertThat(meters.get("tokendiscovery.live.origin.rejected").counter().count()).isEqualTo(before + 1);
        // a page served by the same host (another port) may
        try (LiveClient samePage = LiveClient.open(vertx, PORT, "http://localhost:8080", 65536)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)) {
            assertThat(samePage.closed).isNotDone();
        }
    }

    @Test
    void fiveThousandConnectionAttemptsWhileTheIngestRuns() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == ConnectionState.STREAMING);
        await().atMost(Duration.ofSeconds(10)).until(() -> livePush.clientCount() == 0);
        String mint = TestFrames.key32(1, 35);
        LiveClient watcher = LiveClient.connect(vertx, PORT);
        watcher.subscribe(List.of(mint));
        await().atMost(Duration.ofSeconds(10)).until(() -> !watcher.ofType("subscribed").isEmpty());
        long heapBefore = usedHeapAfterGc();
        double before = closedCount("max-clients");

        // the ingest runs through the whole abuse: 5,000 trades of the watched mint
        SplittableRandom random = new SplittableRandom(35);
        List<String> frames = new ArrayList<>();
        double lastPrice = 0;
        for (int i = 0; i < 5_000; i++) {
            double[] r = TestFrames.reserves(random);
            frames.add(TestFrames.trade(mint, TestFrames.signature(i, 35), true, 0.1, 1000, r[0], r[1]));
            lastPrice = r[0] / r[1];
        }
        Thread feeder = new Thread(() -> {
            for (int from = 0; from < frames.size(); from += 250) {
                simulator.sendRaw(frames.subList(from, from + 250));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        feeder.start();

        List<LiveClient> connected = new ArrayList<>();
        int refusedHandshakes = 0;
        for (int wave = 0; wave < 10; wave++) {
            List<Future<LiveClient>> attempts = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                attempts.add(LiveClient.open(vertx, PORT, null, 65536));
            }
            for (Future<LiveClient> attempt : attempts) {
                try {
                    connected.add(attempt.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
                } catch (Exception e) {
                    refusedHandshakes++;
                }
            }
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                connected.stream().filter(c -> c.closed.isDone()).count()).isEqualTo(connected.size() - 49));
        List<LiveClient.Close> closes = connected.stream().filter(c -> c.closed.isDone()).map(c -> c.closed.join())
                .distinct().toList();
        assertThat(closes).containsExactly(new LiveClient.Close(LivePush.TRY_AGAIN_LATER,
                "replica at its limit of 50 clients; retry later"));
        assertThat(livePush.clientCount()).isEqualTo(50);
        assertThat(closedCount("max-clients")).isEqualTo(before + connected.size() - 49);
        assertThat(meters.get("tokendiscovery.live.clients").gauge().value()).isEqualTo(50);
        long heapDuring = usedHeapAfterGc();

        feeder.join();
        await().atMost(Duration.ofSeconds(120)).until(() ->
                "5000".equals(redis.opsForHash().get(keys.token(mint), "trade_count")));
        double expected = lastPrice;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> ticks = watcher.ofType("tick");
            assertThat(ticks).isNotEmpty();
            assertThat(ticks.get(ticks.size() - 1).path("priceSol").asDouble()).isEqualTo(expected);
        });
        assertThat(watcher.closed).isNotDone();
        connected.forEach(LiveClient::close);
        watcher.close();
        await().atMost(Duration.ofSeconds(30)).until(() -> livePush.clientCount() == 0);
        System.out.printf("5,000 connection attempts: %d connected then closed 1013, %d handshakes failed, 49 kept;"
                + " heap after GC %d MB before, %d MB with them, %d MB after%n", connected.size() - 49,
                refusedHandshakes, heapBefore >> 20, heapDuring >> 20, usedHeapAfterGc() >> 20);
        assertThat(heapDuring - heapBefore).as("heap growth with 5,000 attempts").isLessThan(100L << 20);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void ticksResumeAfterARedisRestartWithoutAReconnect() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == ConnectionState.STREAMING);
        String mint = TestFrames.key32(1, 36);
        LiveClient watcher = LiveClient.connect(vertx, PORT);
        watcher.subscribe(List.of(mint));
        await().atMost(Duration.ofSeconds(10)).until(() -> !watcher.ofType("subscribed").isEmpty());
        AtomicBoolean feeding = new AtomicBoolean(true);
        Thread feeder = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(36);
            for (int i = 0; feeding.get(); i++) {
                double[] r = TestFrames.reserves(random);
                simulator.sendRaw(TestFrames.trade(mint, TestFrames.signature(i, 36), true, 0.1, 1000, r[0], r[1]));
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        feeder.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> watcher.ofType("tick").size() > 50);
            servers.redis().stop();
            Thread.sleep(3000);
            int before = watcher.ofType("tick").size();
            servers.redis().restart();
            long restarted = System.currentTimeMillis();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                    watcher.ofType("tick").stream().anyMatch(t -> t.path("receivedAt").asLong() > restarted));
            long resumedAfter = System.currentTimeMillis() - restarted;
            System.out.printf("Redis restarted after a 3 s outage: ticks of new frames on the same WebSocket %d ms"
                    + " after Redis listened again (%d ticks before, fan-out dropped: %s)%n", resumedAfter, before,
                    meters.find("tokendiscovery.live.fanout.dropped").counters().stream()
                            .map(c -> c.getId().getTag("stage") + "=" + c.count()).toList());
            assertThat(resumedAfter).as("ticks resume within seconds").isLessThan(15_000);
        } finally {
            feeding.set(false);
            feeder.join();
        }
        // the client ends on the latest price in Redis, on the same connection
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<JsonNode> ticks = watcher.ofType("tick");
            String latest = redis.opsForValue().get(keys.priceTick(mint));
            assertThat(latest).isNotNull();
            assertThat(ticks.get(ticks.size() - 1).path("seq").asLong())
                    .isEqualTo(LiveClient.parse(latest).path("seq").asLong());
        });
        assertThat(watcher.closed).as("never reconnected").isNotDone();
        watcher.close();
    }

    static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
