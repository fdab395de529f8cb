package io.tokendiscovery.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TestPorts;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.ingest.ConnectionState;
import io.tokendiscovery.ingest.PumpPortalClient;
import io.tokendiscovery.ingest.SampleFrames;
import io.tokendiscovery.ingest.TestFrames;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Live push with two UI clients, one of which stops reading: the other gets every tick it subscribed, the ingest
 * processes every frame, and only the stalled client's messages are dropped, oldest first, and counted.
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.live.client-queue-capacity=100",
    "tokendiscovery.live.hot-feed-interval=500ms"
})
@ActiveProfiles("test")
class LivePushTest {

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

    private WebSocket connect(List<String> received) throws Exception {
        WebSocket ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22))
                .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(PORT).setURI("/ws/live"))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ws.textMessageHandler(received::add);
        return ws;
    }

    /** The tick messages for {@code mint} among {@code messages}, as prices, in order. */
    private static List<Double> ticks(List<String> messages, String mint) {
        List<Double> prices = new ArrayList<>();
        for (String message : List.copyOf(messages)) {
            JsonNode json = SampleFrames.parse(message);
            if ("tick".equals(json.path("type").asText()) && mint.equals(json.path("mint").asText())) {
                prices.add(json.get("priceSol").asDouble());
            }
        }
        return prices;
    }

    private static long tickCount(List<String> messages) {
        return List.copyOf(messages).stream().filter(m -> m.contains("\"type\":\"tick\"")).count();
    }

    /**
     * The reading client subscribes one mint that trades 50 times spread over a 30,000-frame burst of another mint;
     * the stalled client takes every tick (the hot feed). The reading client must get all 50 of its ticks, in order
     * (its queue never fills, so any loss would be the stalled client's fault); the drops counted are the stalled
     * client's: once it reads again it ends on the last price, and what it got plus what was dropped covers every
     * tick it was offered.
     */
    @Test
    void aStalledClientNeitherSlowsIngestNorTheOtherClient() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == ConnectionState.STREAMING);
        String watched = TestFrames.key32(1, 4242);
        String busy = TestFrames.key32(2, 4242);
        List<String> fast = new CopyOnWriteArrayList<>();
        List<String> slow = new CopyOnWriteArrayList<>();
        WebSocket fastSocket = connect(fast);
        WebSocket slowSocket = connect(slow);
        fastSocket.writeTextMessage("{\"subscribe\":[\"" + watched + "\"]}");
        slowSocket.writeTextMessage("{\"feed\":\"hot\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> livePush.clientCount() == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> slow.stream().anyMatch(m -> m.contains("\"type\":\"hot\"")));
        slowSocket.pause();   // stops reading: its TCP window fills, then its queue
        double droppedBefore = meters.get("tokendiscovery.live.dropped").counter().count();

        SplittableRandom random = new SplittableRandom(5);
        List<String> frames = new ArrayList<>();
        List<Double> watchedPrices = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            double[] r = TestFrames.reserves(random);
            frames.add(TestFrames.trade(busy, TestFrames.signature(i, 4242), true, 0.1, 1000, r[0], r[1]));
            if (i % 600 == 599) {   // 50 in all, the last one the burst's last frame
                double[] w = TestFrames.reserves(random);
                frames.add(TestFrames.trade(watched, TestFrames.signature(100_000 + i, 4242), true, 0.1, 1000, w[0],
                        w[1]));
                watchedPrices.add(w[0] / w[1]);
            }
        }
        long started = System.nanoTime();
        for (int from = 0; from < frames.size(); from += 5_000) {
            simulator.sendRaw(frames.subList(from, Math.min(frames.size(), from + 5_000)));
        }
        await().atMost(Duration.ofSeconds(120)).until(() ->
                "30000".equals(redis.opsForHash().get(keys.token(busy), "trade_count"))
                        && "50".equals(redis.opsForHash().get(keys.token(watched), "trade_count")));
        double ingestSeconds = (System.nanoTime() - started) / 1e9;

        // the reading client got every one of its ticks, in order: it dropped nothing
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ticks(fast, watched)).containsExactlyElementsOf(watchedPrices));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                meters.get("tokendiscovery.live.dropped").counter().count() > droppedBefore);

        // the stalled client, reading again, ends on the last price; everything it missed was counted as dropped
        slowSocket.resume();
        double lastPrice = watchedPrices.get(watchedPrices.size() - 1);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Double> slowWatched = ticks(slow, watched);
            assertThat(slowWatched).isNotEmpty();
            assertThat(slowWatched.get(slowWatched.size() - 1)).isEqualTo(lastPrice);
        });
        long offered = 30_000 + 50;
        long slowTicks = tickCount(slow);
        double dropped = meters.get("tokendiscovery.live.dropped").counter().count() - droppedBefore;
        assertThat(slowTicks).as("the stalled client did not get every tick").isLessThan(offered);
        assertThat(slowTicks + dropped).as("ticks the stalled client got + dropped (hot snapshots may be dropped too)")
                .isGreaterThanOrEqualTo(offered);
        assertThat(ticks(fast, watched)).as("still nothing more, nothing less for the reading client")
                .containsExactlyElementsOf(watchedPrices);
        assertThat(meters.get("tokendiscovery.live.push.latency").timer().count()).isPositive();
        System.out.printf("Live push: 30,050 frames ingested in %.1f s with a stalled client connected; "
                + "push latency p99 %.1f ms; %d ticks dropped for the stalled client%n", ingestSeconds,
                meters.get("tokendiscovery.live.push.latency").timer().takeSnapshot().percentileValues()[1].value(TimeUnit.MILLISECONDS),
                (long) dropped);
        fastSocket.close();
        slowSocket.close();
    }

}
