package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.NewTokenWindows;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * A takeover of the feed, at route level, against real Redis, PostgreSQL and the simulator's socket. Process A is the
 * app of this context: its real {@code pumpportal-ingest} route receives create frames and its window job subscribes
 * them. A then dies (its feed route stops) and B, a fresh {@link TradeSubscriptions} + {@link PumpPortalClient} with
 * empty memory (what a standby or a restarted process has), connects: its FIRST subscription round must carry every
 * mint still inside its new-token window and the watched mint, rebuilt from Redis, and no mint whose window ended.
 *
 * <p>Fails without the shared state: on the code before it (the set only in the leader's memory) nothing is written to
 * {@code td:subs:new-token-window} and B's first round has no {@code subscribeTokenTrade} at all, which is what the
 * issue measured after a {@code kill -9}. Checked with {@link TradeSubscriptions#restoreIfNeeded()} made a no-op (the
 * windows still written): the first test fails on the first round's keys, the second on the rebuild never being
 * retried (B stays blind).
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.simulator.api-keys=" + SubscriptionTakeoverTest.KEY,
    "tokendiscovery.pumpportal.api-key=" + SubscriptionTakeoverTest.KEY
})
@ActiveProfiles("test")
class SubscriptionTakeoverTest {

    static final String KEY = "sk-takeover-test-key";
    private static final AtomicLong SALT = new AtomicLong(913_000);
    private static final int N = 25;

    @Autowired PumpPortalSimulator simulator;
    @Autowired PumpPortalClient clientA;
    @Autowired TradeSubscriptions subscriptionsA;
    @Autowired NewTokenWindows windows;
    @Autowired TokenDiscoveryProperties properties;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired JdbcTemplate jdbc;
    @Autowired ProducerTemplate producer;
    @Autowired CamelContext camel;
    @Autowired Vertx vertx;

    private final long salt = SALT.addAndGet(1000);
    private final List<PumpPortalClient> started = new ArrayList<>();
    private final List<LettuceConnectionFactory> factories = new ArrayList<>();
    private String watched;

    @BeforeEach
    void leaderAStreams() {
        await().atMost(Duration.ofSeconds(30)).until(() -> clientA.state() == ConnectionState.STREAMING);
    }

    @AfterEach
    void cleanUp() throws Exception {
        started.forEach(PumpPortalClient::stop);
        factories.forEach(LettuceConnectionFactory::destroy);
        if (watched != null) {
            jdbc.update("DELETE FROM token_watch WHERE mint = ?", watched);
            producer.sendBody("direct:watch-list-sync", null);
        }
        camel.getRouteController().startRoute("pumpportal-ingest");
        await().atMost(Duration.ofSeconds(30)).until(() -> clientA.state() == ConnectionState.STREAMING);
    }

    @Test
    void aNewLeaderSubscribesEveryMintInItsWindowAndTheWatchedOnesInItsFirstRound() throws Exception {
        Set<String> fresh = leaderASeesCreatesAndAWatchedMint();
        String ended = endedWindow();

        List<String> firstRound = takeOver(redis);

        assertThat(firstRound).containsAll(fresh).contains(watched).doesNotContain(ended);
    }

    @Test
    void aTakeoverWhileRedisDoesNotAnswerRetriesTheRebuildUntilItSucceeds() throws Exception {
        Set<String> fresh = leaderASeesCreatesAndAWatchedMint();
        // B's Redis client gives up after 500 ms; Redis holds every client's commands for 3 s
        LettuceConnectionFactory impatient = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1",
                        ((LettuceConnectionFactory) redis.getConnectionFactory()).getPort()),
                LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(500)).build());
        impatient.afterPropertiesSet();
        impatient.start();
        factories.add(impatient);
        StringRedisTemplate impatientRedis = new StringRedisTemplate(impatient);
        impatientRedis.execute((RedisCallback<Object>) c -> c.ping());
        redis.execute((RedisCallback<Object>) c -> c.execute("CLIENT", "PAUSE".getBytes(), "3000".getBytes()));

        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TradeSubscriptions subscriptionsB = new TradeSubscriptions(properties, Clock.systemUTC(), meters,
                new NewTokenWindows(impatientRedis, keys));
        PumpPortalClient clientB = startB(subscriptionsB, meters);
        List<String> firstRound = firstRound(clientB);

        assertThat(firstRound).as("Redis did not answer: nothing to rebuild from yet").isEmpty();
        assertThat(subscriptionsB.restorePending()).isTrue();
        assertThat(meters.get("tokendiscovery.pumpportal.subscriptions.shared.failures")
                .tag("operation", "restore").counter().count()).isPositive();
        assertThat(meters.get("tokendiscovery.pumpportal.subscriptions.restore.pending").gauge().value()).isOne();

        // what the window job does every subscription-flush-interval, until Redis answers again
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            subscriptionsB.syncSharedState();
            assertThat(subscriptionsB.restorePending()).isFalse();
        });
        clientB.sendSubscriptionChanges();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(simulator.subscribedMints()).containsAll(fresh).contains(watched));
        assertThat(meters.get("tokendiscovery.pumpportal.subscriptions.restored").counter().count())
                .isGreaterThanOrEqualTo(N + 1);
    }

    /** A sees N create frames through its route and subscribes them; a mint is watched (token_watch). */
    private Set<String> leaderASeesCreatesAndAWatchedMint() {
        Set<String> fresh = new HashSet<>();
        List<String> frames = new ArrayList<>();
        long before = System.currentTimeMillis();
        for (int i = 0; i < N; i++) {
            String mint = TestFrames.key32(i, salt);
            fresh.add(mint);
            frames.add(create(mint, TestFrames.signature(i, salt)));
        }
        watched = TestFrames.key32(999, salt);
        jdbc.update("INSERT INTO token_watch (mint, watcher) VALUES (?, 'takeover')", watched);
        producer.sendBody("direct:watch-list-sync", null);
        simulator.sendRaw(frames);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(simulator.subscribedMints()).containsAll(fresh).contains(watched));
        long window = properties.ingest().newTokenTradeWindow().toMillis();
        for (String mint : fresh) {
            Double end = redis.opsForZSet().score(keys.newTokenWindows(), mint);
            assertThat(end).as("window end of %s in Redis", mint).isNotNull();
            assertThat(end).isCloseTo(before + window, within(10_000d));
        }
        return fresh;
    }

    /** A window that ended while no leader was there to prune it. */
    private String endedWindow() {
        String ended = TestFrames.key32(998, salt);
        redis.opsForZSet().add(keys.newTokenWindows(), ended, System.currentTimeMillis() - 1);
        return ended;
    }

    /** A dies; B, with empty memory and the shared Redis, takes the feed. @return B's first round's trade keys */
    private List<String> takeOver(StringRedisTemplate sharedRedis) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TradeSubscriptions subscriptionsB = new TradeSubscriptions(properties, Clock.systemUTC(), meters,
                new NewTokenWindows(sharedRedis, keys));
        assertThat(subscriptionsB.desired()).as("B's memory").isEmpty();
        return firstRound(startB(subscriptionsB, meters));
    }

    private PumpPortalClient startB(TradeSubscriptions subscriptionsB, SimpleMeterRegistry meters) throws Exception {
        camel.getRouteController().stopRoute("pumpportal-ingest");
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.connectionCount() == 0);
        simulator.clearReceivedClientMessages();
        PumpPortalClient clientB = new PumpPortalClient(vertx, properties, subscriptionsB, Clock.systemUTC(), meters,
                () -> simulator.url() + "?api-key=" + KEY);
        started.add(clientB);
        clientB.start((text, binary, seq, at) -> { });
        return clientB;
    }

    /** B sends nothing but its first round (no window job runs for it): every key of its subscribeTokenTrade. */
    private List<String> firstRound(PumpPortalClient clientB) {
        await().atMost(Duration.ofSeconds(20)).until(() -> clientB.state() == ConnectionState.STREAMING);
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> simulator.connections()
                .stream().anyMatch(c -> c.newTokens() && c.migrations()));
        List<String> messages = simulator.receivedClientMessages();
        assertThat(messages.get(0)).isEqualTo(PumpPortalClient.SUBSCRIBE_NEW_TOKEN);
        assertThat(messages.get(1)).isEqualTo(PumpPortalClient.SUBSCRIBE_MIGRATION);
        List<String> trades = new ArrayList<>();
        for (String message : messages.subList(2, messages.size())) {
            JsonNode json = SampleFrames.parse(message);
            assertThat(json.path("method").asText()).isEqualTo("subscribeTokenTrade");
            assertThat(json.path("keys").size()).isLessThanOrEqualTo(5000);
            json.path("keys").forEach(k -> trades.add(k.asText()));
        }
        return trades;
    }

    private static String create(String mint, String signature) {
        return String.format(Locale.ROOT, "{\"signature\":\"%s\",\"mint\":\"%s\",\"traderPublicKey\":\"%s\","
                + "\"txType\":\"create\",\"initialBuy\":2115327.702796,\"solAmount\":0.059259258,"
                + "\"bondingCurveKey\":\"%s\",\"vTokensInBondingCurve\":1070884672.297204,"
                + "\"vSolInBondingCurve\":30.059259257999976,\"marketCapSol\":28.069557848389476,\"name\":\"Takeover\","
                + "\"symbol\":\"TKO\",\"uri\":\"https://example.org/t.json\",\"is_mayhem_mode\":false,\"pool\":\"pump\"}",
                signature, mint, TestFrames.key32(7, 7), TestFrames.key32(9, 9));
    }
}
