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
 * Live push with two UI clients, one of which stops reading: the other keeps streaming and ends on the last price,
 * the ingest processes every frame, and the stalled client's messages are dropped oldest-first and counted.
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

    @Test
    void aStalledClientNeitherSlowsIngestNorTheOtherClient() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == ConnectionState.STREAMING);
        String mint = TestFrames.key32(1, 4242);
        List<String> fast = new CopyOnWriteArrayList<>();
        List<String> slow = new CopyOnWriteArrayList<>();
        WebSocket fastSocket = connect(fast);
        WebSocket slowSocket = connect(slow);
        fastSocket.writeTextMessage("{\"subscribe\":[\"" + mint + "\"]}");
        slowSocket.writeTextMessage("{\"feed\":\"hot\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> livePush.clientCount() == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> slow.stream().anyMatch(m -> m.contains("\"type\":\"hot\"")));
        slowSocket.pause();   // stops reading: its TCP window fills, then its queue

        SplittableRandom random = new SplittableRandom(5);
        List<String> frames = new ArrayList<>();
        double lastPrice = 0;
        for (int i = 0; i < 30_000; i++) {
            double[] r = TestFrames.reserves(random);
            frames.add(TestFrames.trade(mint, TestFrames.signature(i, 4242), true, 0.1, 1000, r[0], r[1]));
            lastPrice = r[0] / r[1];
        }
        long started = System.nanoTime();
        for (int from = 0; from < frames.size(); from += 5_000) {
            simulator.sendRaw(frames.subList(from, from + 5_000));
        }
        await().atMost(Duration.ofSeconds(120)).until(() ->
                "30000".equals(redis.opsForHash().get(keys.token(mint), "trade_count")));
        double ingestSeconds = (System.nanoTime() - started) / 1e9;

        double expected = lastPrice;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode last = SampleFrames.parse(fast.get(fast.size() - 1));
            assertThat(last.get("mint").asText()).isEqualTo(mint);
            assertThat(last.get("priceSol").asDouble()).isEqualTo(expected);
        });
        await().atMost(Duration.ofSeconds(30)).until(() ->
                meters.get("tokendiscovery.live.dropped").counter().count() > 0);
        // a UI needs the latest price, not every tick: a client more than client-queue-capacity (100 here) behind a
        // burst loses the oldest ticks too, but it keeps streaming and ends on the last price
        assertThat(fast.size()).as("the reading client kept streaming").isGreaterThan(3_000);
        assertThat(meters.get("tokendiscovery.live.push.latency").timer().count()).isPositive();
        System.out.printf("Live push: 30,000 frames ingested in %.1f s with a stalled client connected; "
                + "push latency p99 %.1f ms%n", ingestSeconds,
                meters.get("tokendiscovery.live.push.latency").timer().takeSnapshot().percentileValues()[1].value(TimeUnit.MILLISECONDS));
        fastSocket.close();
        slowSocket.close();
    }

}
