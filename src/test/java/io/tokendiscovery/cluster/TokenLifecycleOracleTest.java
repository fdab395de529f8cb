package io.tokendiscovery.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.TestPorts;
import io.tokendiscovery.cluster.FeedFrame.Kind;
import io.tokendiscovery.devservices.EmbeddedRedis;
import io.vertx.core.Vertx;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The lifecycle test with an oracle (issue 13, "Prove it"): two real app processes (leader + standby, file cluster
 * service) share an embedded Redis and an embedded PostgreSQL and read a scripted PumpPortal ({@link OracleFeed})
 * that records every frame it actually delivered. A ground truth ({@link GroundTruth}) is computed from those
 * frames only; at the end every {@code token_discovery} row is compared with it, field by field, and every
 * subscription round after a leader change is compared with the mints the old leader had subscribed.
 *
 * <p>Time is compressed ({@link #COMPRESSED}: Redis TTLs of seconds, a sync every 2 s) and the scenario runs, each
 * phase waiting on observable conditions:
 * <ol>
 *   <li>creates and trades for about 30 mints, some over the lazy-persistence thresholds, some under;</li>
 *   <li>a feed drop (the server closes the connection; the client reconnects and subscribes again);</li>
 *   <li>tokens go quiet until their Redis hash has expired, then trade again, migrate, or get watched;</li>
 *   <li>the feed pauses, then the leader is killed with SIGKILL; the standby takes over and must subscribe, in its
 *       first subscription round, every mint the old leader had subscribed that is still inside its window;</li>
 *   <li>trades continue on existing mints, new tokens are created;</li>
 *   <li>a graceful restart (SIGTERM) of the new leader, with the same subscription check;</li>
 *   <li>PostgreSQL stopped under load, then started again;</li>
 *   <li>hostile names (NUL, control characters, DEL, a lone surrogate, a 60 KB name) and hostile numbers
 *       ({@code vTokensInBondingCurve: 1e-310}, non-finite, a price that underflows to zero, an absurd amount)
 *       beside valid frames; a frame Redis rejects (a key of the wrong type), later fixed;</li>
 *   <li>a dead-letter replay through {@code /actuator/deadletters}, including a frame that had already been applied
 *       and whose signature dedup key has expired;</li>
 *   <li>a final sync, then the comparison.</li>
 * </ol>
 *
 * <p><b>Frames in memory at a SIGKILL are lost.</b> PumpPortal has no replay: frames a killed process had received
 * but not yet applied to Redis are gone for good, and no design can bring them back. The feed therefore pauses
 * before the kill until the leader has applied the last delivered frame (its signature's dedup key is in Redis),
 * plus {@link #PAUSE_BEFORE_KILL}; the ground truth, which counts delivered frames, stays exact.
 *
 * <p>Every mismatch is collected and reported at once, as a table (mint, field, expected, actual), instead of
 * stopping at the first. Logs of the app processes: {@code target/oracle-test/app-*.log}.
 */
class TokenLifecycleOracleTest {

    /** Compressed time, passed to every app process as environment variables (Spring relaxed binding). */
    static final Map<String, String> COMPRESSED = new LinkedHashMap<>();

    static {
        // a committed token's Redis hash (and tick) expires 4 s after the sync that committed it (default 2h)
        COMPRESSED.put("TOKENDISCOVERY_REDIS_TOKENTTL", "4s");
        COMPRESSED.put("TOKENDISCOVERY_REDIS_PRICETICKTTL", "4s");
        // a write-behind sync every 2 s (default every 5 min), and one 1 s after a replica starts leading
        COMPRESSED.put("TOKENDISCOVERY_SYNC_CRON", "*/2 * * * * ?");
        COMPRESSED.put("TOKENDISCOVERY_SYNC_INITIALDELAY", "1s");
        // claims of the killed leader's sync go back to the dirty set after 8 s (default 10m)
        COMPRESSED.put("TOKENDISCOVERY_SYNC_CLAIMTIMEOUT", "8s");
        // a sync hitting the stopped database retries once after 0.5 s, then waits for the next run (default 3, 1 s)
        COMPRESSED.put("TOKENDISCOVERY_SYNC_RETRIES", "1");
        COMPRESSED.put("TOKENDISCOVERY_SYNC_RETRYDELAYMS", "500");
        // bound of the final sync on SIGTERM (default 20s)
        COMPRESSED.put("TOKENDISCOVERY_SYNC_SHUTDOWNTIMEOUT", "15s");
        // a new token's trades stay subscribed for 180 s (default 30m): the whole scenario, so every check after a
        // leader change covers the first tokens too
        COMPRESSED.put("TOKENDISCOVERY_INGEST_NEWTOKENTRADEWINDOW", "180s");
        // trade signatures are remembered 5 s (default 10m), so a dead-letter replay comes after they expired
        COMPRESSED.put("TOKENDISCOVERY_INGEST_SIGNATUREDEDUPTTL", "5s");
        // subscription diffs go out every 0.5 s (default 1s)
        COMPRESSED.put("TOKENDISCOVERY_INGEST_SUBSCRIPTIONFLUSHINTERVAL", "500ms");
        // token_watch is read every 2 s (default every 5 min)
        COMPRESSED.put("TOKENDISCOVERY_JOBS_WATCHLISTSYNCCRON", "*/2 * * * * ?");
        // hot scores and market-data states are not under test: off, so nothing but the feed touches tokens
        COMPRESSED.put("TOKENDISCOVERY_JOBS_HOTSCORECRON", "0 0 0 1 1 ? 2099");
        COMPRESSED.put("TOKENDISCOVERY_JOBS_MARKETDATACRON", "0 0 0 1 1 ? 2099");
        // pings every 5 s, dead after 5 s without a pong (defaults 20s/10s)
        COMPRESSED.put("TOKENDISCOVERY_PUMPPORTAL_PINGINTERVAL", "5s");
        COMPRESSED.put("TOKENDISCOVERY_PUMPPORTAL_PONGTIMEOUT", "5s");
        // the scripted feed is silent between phases: no stall reconnects, no zombie re-subscriptions (noise)
        COMPRESSED.put("TOKENDISCOVERY_PUMPPORTAL_STALLTIMEOUT", "10m");
        COMPRESSED.put("TOKENDISCOVERY_PUMPPORTAL_ZOMBIETIMEOUT", "10m");
        // reconnect after 0.5 s, at most 2 s apart (defaults 1s/60s)
        COMPRESSED.put("TOKENDISCOVERY_PUMPPORTAL_INITIALBACKOFF", "500ms");
        COMPRESSED.put("TOKENDISCOVERY_PUMPPORTAL_MAXBACKOFF", "2s");
        // a sync waits at most 3 s for a connection to the stopped database (Hikari default 30 s)
        COMPRESSED.put("TOKENDISCOVERY_DATABASE_CONNECTIONTIMEOUT", "3s");
    }

    /** Lazy persistence and pricing, set explicitly (the application.yaml defaults). */
    static final long MIN_TRADES = 10;
    static final BigDecimal MIN_VOLUME_USD = new BigDecimal("100");
    static final BigDecimal SOL_USD = new BigDecimal("150");
    static final Duration WINDOW = Duration.ofSeconds(180);
    /** What "the first subscription round" of a new connection means here: its subscriptions within 5 s of opening. */
    static final Duration FIRST_ROUND = Duration.ofSeconds(5);
    /** The deliberate feed pause before a SIGKILL, after the leader applied the last delivered frame. */
    static final Duration PAUSE_BEFORE_KILL = Duration.ofMillis(1500);
    static final String ADMIN_PASSWORD = "oracle-admin-password";
    static final String PREFIX = "td:";

    static Path work;
    static EmbeddedRedis redis;
    static RestartablePostgres postgres;
    static Vertx vertx;
    static OracleFeed feed;
    static Path cluster;
    static final GroundTruth truth = new GroundTruth();
    static final OracleFrames frames = new OracleFrames(13L);
    static final List<App> apps = new ArrayList<>();
    static final HttpClient http = HttpClient.newHttpClient();

    /** mint -> readable label (group and index), for the report. */
    final Map<String, String> labels = new LinkedHashMap<>();
    /** mint -> when its create was delivered (the start of its trade window). */
    final Map<String, Long> createdAt = new HashMap<>();
    final Set<String> watched = new HashSet<>();
    /** mint -> scripted trades the feed connection did not take although the mint should have been subscribed. */
    final Map<String, Integer> undelivered = new LinkedHashMap<>();
    final List<Mismatch> mismatches = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    /** Signatures of the frames the feed delivered (to any connection). */
    final Set<String> deliveredSignatures = new HashSet<>();
    /** The last accepted frame delivered since the last {@link #awaitApplied}, or null. */
    FeedFrame pendingDrain;
    long testStartNanos = System.nanoTime();

    record App(int index, int port, Process process) {}

    record Mismatch(String mint, String field, String expected, String actual) {}

    @BeforeAll
    static void startEverything() throws Exception {
        work = Files.createDirectories(Path.of("target/oracle-test"));
        redis = EmbeddedRedis.start(Files.createTempDirectory(work, "redis"));
        postgres = new RestartablePostgres(Files.createTempDirectory(work, "postgres"),
                Files.createDirectories(work.resolve("postgres-bin")));
        postgres.start();
        vertx = Vertx.vertx();
        feed = new OracleFeed(vertx, truth::delivered);
        feed.start();
        cluster = Files.createTempDirectory(work, "cluster");
        apps.add(launch(0));
        apps.add(launch(1));
    }

    static App launch(int index) throws IOException {
        int port = TestPorts.free();
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx300m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.tokendiscovery.TokenDiscoveryApplication");
        Map<String, String> env = builder.environment();
        env.put("PORT", Integer.toString(port));
        env.put("LIVE_PORT", Integer.toString(TestPorts.free()));
        env.put("SPRING_DATA_REDIS_URL", "redis://127.0.0.1:" + redis.port());
        env.put("SPRING_DATASOURCE_URL", postgres.jdbcUrl());
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("PUMPPORTAL_URL", feed.url());
        env.put("PUMPPORTAL_API_KEY", "oracle-key");
        env.put("TOKENDISCOVERY_CLUSTER_ROOT", cluster.toAbsolutePath().toString());
        env.put("TOKENDISCOVERY_EMBEDDED_DATADIR", "");
        env.put("TOKENDISCOVERY_SECURITY_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("TOKENDISCOVERY_PERSISTENCE_MINTRADES", Long.toString(MIN_TRADES));
        env.put("TOKENDISCOVERY_PERSISTENCE_MINVOLUMEUSD", MIN_VOLUME_USD.toPlainString());
        env.put("TOKENDISCOVERY_PRICING_SOLUSD", SOL_USD.toPlainString());
        // one SOL/USD source that refuses at once: the configured rate above is used, whatever the network
        env.put("TOKENDISCOVERY_PRICING_SOLUSDSOURCES_0_NAME", "none");
        env.put("TOKENDISCOVERY_PRICING_SOLUSDSOURCES_0_URL", "http://127.0.0.1:9/sol-price");
        env.put("TOKENDISCOVERY_PRICING_SOLUSDSOURCES_0_POINTER", "/solPrice");
        env.put("CAMEL_MAIN_ROUTESRELOADENABLED", "false");
        env.putAll(COMPRESSED);
        File log = work.resolve("app-" + index + ".log").toFile();
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        builder.directory(new File("."));
        return new App(index, port, builder.start());
    }

    @AfterAll
    static void stopEverything() throws Exception {
        apps.forEach(app -> app.process().destroyForcibly());
        for (App app : apps) {
            app.process().waitFor(20, TimeUnit.SECONDS);
        }
        if (feed != null) {
            feed.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (postgres != null) {
            postgres.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void everyRowMatchesTheGroundTruthOverATokensWholeLife() throws Exception {
        long started = System.nanoTime();
        App leader = awaitOneLeader(Duration.ofMinutes(3), null);
        phase("1 creates and trades");
        List<String> hot = create("hot", 10, i -> i == 0 ? "Hot \uD83D\uDE80 " + i : "Hot " + i, i -> frames.randomSol(0.3, 1.0));
        List<String> small = create("small", 6, i -> "Small " + i, i -> i % 2 == 0 ? 0 : 0.01);
        List<String> quietTrade = create("quiet-persisted-trades", 3, i -> "QuietP " + i, i -> 0.5);
        List<String> quietLate = create("quiet-late-crosser", 3, i -> "QuietL " + i, i -> 0);
        List<String> quietMigrate = create("quiet-migrates", 3, i -> "QuietM " + i, i -> 0.5);
        List<String> quietWatch = create("quiet-watched", 2, i -> "QuietW " + i, i -> 0);
        awaitSubscribed(labels.keySet(), "the phase-1 creates");
        for (int round = 0; round < 12; round++) {
            for (String mint : hot) {
                FeedFrame trade = send(frames.trade(mint, round % 3 != 2, frames.randomSol(0.05, 0.8)));
                if (round == 4) {
                    send(trade); // PumpPortal sometimes repeats a frame: counted once
                }
            }
            for (String mint : quietTrade) {
                send(frames.trade(mint, round % 4 != 3, frames.randomSol(0.05, 0.5)));
            }
            for (String mint : quietMigrate) {
                send(frames.trade(mint, round % 4 != 3, frames.randomSol(0.05, 0.5)));
            }
            if (round < 6) {
                quietLate.forEach(mint -> send(frames.trade(mint, true, frames.randomSol(0.005, 0.03))));
            }
            if (round < 3) {
                quietWatch.forEach(mint -> send(frames.trade(mint, true, frames.randomSol(0.005, 0.03))));
            }
            if (round < 4) {
                for (int i = 0; i < small.size(); i++) {
                    if (round <= i % 4) {
                        send(frames.trade(small.get(i), round != 2, frames.randomSol(0.005, 0.03)));
                    }
                }
            }
        }
        awaitApplied("phase 1");

        phase("2 feed drop");
        OracleFeed.Connection beforeDrop = feed.current();
        Set<String> subscribedBeforeDrop = feed.currentMints();
        feed.dropConnections();
        softAwait("the client reconnects and subscribes its mints again after a feed drop", Duration.ofSeconds(60),
                () -> {
                    OracleFeed.Connection now = feed.current();
                    return now != null && now.id > beforeDrop.id && feed.currentMints().containsAll(subscribedBeforeDrop);
                });
        for (int round = 0; round < 4; round++) {
            hot.forEach(mint -> send(frames.trade(mint, true, frames.randomSol(0.05, 0.5))));
        }
        awaitApplied("phase 2");

        phase("3 quiet past the cache TTL, then trade, migrate or get watched");
        List<String> quiet = new ArrayList<>();
        quiet.addAll(quietTrade);
        quiet.addAll(quietLate);
        quiet.addAll(quietMigrate);
        quiet.addAll(quietWatch);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> quiet.stream().noneMatch(mint -> redisExists(PREFIX + "token:" + mint)));
        } catch (ConditionTimeoutException e) {
            List<String> still = quiet.stream().filter(mint -> redisExists(PREFIX + "token:" + mint)).toList();
            notes.add("Redis hashes still present 60 s after the quiet tokens' last change (expiry not exercised for "
                    + "them): " + still.stream().map(labels::get).toList());
        }
        quietTrade.forEach(mint -> {
            for (int i = 0; i < 3; i++) {
                send(frames.trade(mint, true, frames.randomSol(0.05, 0.3)));
            }
        });
        quietLate.forEach(mint -> {
            for (int i = 0; i < 6; i++) {
                send(frames.trade(mint, true, frames.randomSol(0.005, 0.03)));
            }
        });
        quietMigrate.forEach(mint -> send(frames.migrate(mint)));
        for (String mint : quietWatch) {
            watch(mint);
        }
        softAwait("the watched mints are subscribed", Duration.ofSeconds(30),
                () -> feed.currentMints().containsAll(quietWatch));
        quietWatch.forEach(mint -> {
            send(frames.trade(mint, true, frames.randomSol(0.005, 0.03)));
            send(frames.trade(mint, false, 0.002));
        });
        awaitApplied("phase 3");

        phase("4 feed pause, SIGKILL of the leader, takeover");
        await().pollDelay(PAUSE_BEFORE_KILL).atMost(PAUSE_BEFORE_KILL.plusSeconds(5)).until(() -> true);
        leader = takeOver(leader, true, "failover after SIGKILL");

        phase("5 trades continue on existing mints, new tokens");
        List<String> late = create("late", 4, i -> "Late " + i, i -> 0.4);
        awaitSubscribed(late, "the tokens created after the failover");
        for (int round = 0; round < 12; round++) {
            boolean buy = round != 1;
            late.forEach(mint -> send(frames.trade(mint, true, frames.randomSol(0.05, 0.5))));
            if (round < 3) {
                hot.forEach(mint -> send(frames.trade(mint, buy, frames.randomSol(0.05, 0.5))));
                quietTrade.forEach(mint -> send(frames.trade(mint, true, frames.randomSol(0.05, 0.2))));
            }
        }
        awaitApplied("phase 5");

        phase("6 graceful restart of the leader");
        awaitAppsAnswer(Duration.ofMinutes(3));
        leader = takeOver(leader, false, "takeover after SIGTERM");

        phase("7 PostgreSQL stopped under load, then started again");
        long successBefore = lastSyncSuccess();
        postgres.stop();
        long stoppedAt = System.currentTimeMillis();
        for (int round = 0; round < 8; round++) {
            late.forEach(mint -> send(frames.trade(mint, true, frames.randomSol(0.01, 0.2))));
            hot.forEach(mint -> send(frames.trade(mint, true, frames.randomSol(0.01, 0.2))));
            await().pollDelay(Duration.ofMillis(750)).atMost(Duration.ofSeconds(5)).until(() -> true);
        }
        awaitApplied("phase 7 (database down)");
        if (lastSyncSuccess() > Math.max(successBefore, stoppedAt)) {
            notes.add("A sync succeeded while PostgreSQL was stopped: the outage was not observed");
        }
        postgres.start();
        long restartedAt = System.currentTimeMillis();
        softAwait("a sync succeeds after PostgreSQL is back", Duration.ofSeconds(60),
                () -> lastSyncSuccess() > restartedAt);

        phase("8 hostile names and numbers beside valid frames");
        String bigName = "Big" + "x".repeat(60 * 1024);
        List<String> names = List.of("Nul\u0000Token", "Ctl\u0001\u001b[31mred\u001f\ttab\n", "Del\u007fete",
                "Lone\uD800Surrogate", bigName);
        List<String> labelsOfNames = List.of("name-NUL", "name-controls", "name-DEL", "name-lone-surrogate",
                "name-60KB");
        List<String> hostileNames = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String mint = frames.newMint();
            labels.put(mint, labelsOfNames.get(i));
            send(frames.create(mint, names.get(i), 0));
            createdAt.put(mint, System.currentTimeMillis());
            hostileNames.add(mint);
        }
        awaitSubscribed(hostileNames, "the tokens with hostile names");
        for (int round = 0; round < 11; round++) {
            hostileNames.forEach(mint -> send(frames.trade(mint, true, frames.randomSol(0.05, 0.3))));
        }
        // fresh tokens, subscribed by the current leader whatever happened to older subscriptions
        List<String> target = create("target", 3, i -> "Target " + i, i -> 0.8);
        awaitSubscribed(target, "the target tokens of the hostile numbers and the replay");
        for (int round = 0; round < 3; round++) {
            target.forEach(mint -> send(frames.trade(mint, true, frames.randomSol(0.05, 0.3))));
        }
        awaitApplied("hostile names");
        hostileNumbers(target.get(0));
        FeedFrame redisRejected = redisRejectedTrade(target.get(1));
        FeedFrame alreadyApplied = injectAppliedDeadLetter(target.get(2));

        phase("9 dead-letter replay");
        softAwait("the already-applied frame's dedup key expired", Duration.ofSeconds(30),
                () -> !redisExists(PREFIX + "sig:" + alreadyApplied.signature() + ":" + alreadyApplied.mint()));
        replayDeadLetters(leader, "frames");
        replayDeadLetters(leader, "sync");
        if (deliveredSignatures.contains(redisRejected.signature())) {
            softAwait("the frame Redis had rejected is applied by the replay", Duration.ofSeconds(20),
                    () -> redisExists(PREFIX + "sig:" + redisRejected.signature() + ":" + redisRejected.mint()));
        }

        phase("10 final sync and comparison");
        long finalFrom = System.currentTimeMillis();
        softAwait("the dirty and in-flight sets are empty and a sync succeeded afterwards", Duration.ofSeconds(45),
                () -> {
                    try (Jedis jedis = jedis()) {
                        return jedis.zcard(PREFIX + "sync:dirty") + jedis.zcard(PREFIX + "sync:inflight") == 0
                                && lastSyncSuccess() > finalFrom;
                    }
                });
        compareRows();
        checkConnections();
        report(Duration.ofNanos(System.nanoTime() - started));
    }

    // ------------------------------------------------------------------ scenario steps

    List<String> create(String group, int n, java.util.function.IntFunction<String> name,
            java.util.function.IntToDoubleFunction initialBuy) {
        List<String> mints = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String mint = frames.newMint();
            labels.put(mint, group + "-" + i);
            send(frames.create(mint, name.apply(i), initialBuy.applyAsDouble(i)));
            createdAt.put(mint, System.currentTimeMillis());
            mints.add(mint);
        }
        return mints;
    }

    /** Sends a frame; a trade the current connection did not take although its mint should be subscribed is a finding. */
    FeedFrame send(FeedFrame frame) {
        boolean delivered = feed.send(frame);
        if (delivered) {
            deliveredSignatures.add(frame.signature());
        }
        if (delivered && frame.accepted()) {
            pendingDrain = frame;
        }
        if (!delivered && frame.kind() == Kind.TRADE && shouldBeSubscribed(frame.mint())) {
            undelivered.merge(frame.mint(), 1, Integer::sum);
        }
        return frame;
    }

    boolean shouldBeSubscribed(String mint) {
        Long created = createdAt.get(mint);
        return watched.contains(mint)
                || (created != null && System.currentTimeMillis() < created + WINDOW.toMillis() - 10_000);
    }

    void watch(String mint) throws Exception {
        try (Connection db = db();
                PreparedStatement insert = db.prepareStatement("INSERT INTO token_watch (mint, watcher) VALUES (?, ?)")) {
            insert.setString(1, mint);
            insert.setString(2, "oracle");
            insert.executeUpdate();
        }
        watched.add(mint);
        truth.watched(mint);
    }

    void awaitSubscribed(Collection<String> mints, String what) {
        softAwait("the feed connection subscribes " + what, Duration.ofSeconds(15),
                () -> feed.currentMints().containsAll(mints));
    }

    /** The leader has applied the last accepted frame delivered: its signature's dedup key is in Redis. */
    void awaitApplied(String what) {
        FeedFrame last = pendingDrain;
        pendingDrain = null;
        if (last == null) {
            return;
        }
        softAwait("the leader applies the last frame of " + what, Duration.ofSeconds(20),
                () -> redisExists(PREFIX + "sig:" + last.signature() + ":" + last.mint()));
    }

    /**
     * Stops the leader (SIGKILL or SIGTERM), waits for the other replica to lead, checks that its first subscription
     * round covers every mint the old connection had subscribed that is still inside its window (or watched), and
     * starts a fresh replica so there are two again.
     */
    App takeOver(App leader, boolean kill, String what) throws Exception {
        OracleFeed.Connection old = feed.current();
        Set<String> oldMints = feed.currentMints();
        if (kill) {
            leader.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        } else {
            leader.process().destroy();
            if (!leader.process().waitFor(60, TimeUnit.SECONDS)) {
                mismatches.add(new Mismatch("-", what + ": graceful stop", "exits within 60 s", "still running"));
                leader.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        long stoppedAt = System.nanoTime();
        App next = awaitOneLeader(Duration.ofSeconds(90), old);
        OracleFeed.Connection now = feed.current();
        System.out.printf("[oracle] %s: app %d leads after %d ms (connection %d)%n", what, next.index(),
                Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis(), now.id);
        await().atMost(FIRST_ROUND.plusSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> System.currentTimeMillis() > now.openedAtMillis + FIRST_ROUND.toMillis());
        long roundEnd = now.openedAtMillis + FIRST_ROUND.toMillis();
        Set<String> expected = new TreeSet<>();
        for (String mint : oldMints) {
            Long created = createdAt.get(mint);
            if (watched.contains(mint) || (created != null && created + WINDOW.toMillis() > roundEnd)) {
                expected.add(mint);
            }
        }
        Set<String> got = now.subscribedWithin(FIRST_ROUND.toMillis());
        List<String> missing = expected.stream().filter(mint -> !got.contains(mint)).toList();
        System.out.printf("[oracle] %s: old leader had %d mints subscribed, %d still in their window or watched; the "
                + "new leader subscribed %d of them in its first round%n", what, oldMints.size(), expected.size(),
                expected.size() - missing.size());
        if (!missing.isEmpty()) {
            mismatches.add(new Mismatch("(" + missing.size() + " mints)", what + ": subscribed in first round",
                    expected.size() + " mints", (expected.size() - missing.size()) + " mints; missing e.g. "
                            + missing.stream().limit(4).map(labels::get).toList()));
        }
        apps.set(apps.indexOf(leader), launch(leader.index()));
        return next;
    }

    /** Unpriceable and absurd trades on a subscribed mint, each followed by a valid one: rejected fast, counted never. */
    void hostileNumbers(String mint) {
        String[] r = frames.reserves(mint);
        List<FeedFrame> bad = List.of(
                // price = vSol / 1e-310 overflows to Infinity
                frames.trade(mint, frames.newSignature(), true, new BigDecimal("0.1"), r[0], "1e-310", "1000", "30",
                        false),
                // non-finite reserves (the literal overflows a double): Infinity / Infinity = NaN
                frames.trade(mint, frames.newSignature(), true, new BigDecimal("0.1"), "1e400", "1e400", "1000", "30",
                        false),
                // the price underflows to 0
                frames.trade(mint, frames.newSignature(), true, new BigDecimal("0.1"), "4.9e-324", "1000000000",
                        "1000", "30", false),
                // absurd amount: more SOL than exists
                frames.trade(mint, frames.newSignature(), true, new BigDecimal("1000000000000000"), r[0], r[1], "1000",
                        "30", false));
        long sentAt = System.nanoTime();
        bad.forEach(this::send);
        FeedFrame valid = send(frames.trade(mint, true, 0.1));
        pendingDrain = null;
        if (!deliveredSignatures.contains(valid.signature())) {
            mismatches.add(new Mismatch(mint, "hostile numbers: valid trade delivered", "yes", "no (not subscribed)"));
            return;
        }
        boolean applied = softAwait("the valid trade after the hostile numbers is applied", Duration.ofSeconds(30),
                () -> redisExists(PREFIX + "sig:" + valid.signature() + ":" + valid.mint()));
        long millis = Duration.ofNanos(System.nanoTime() - sentAt).toMillis();
        System.out.printf("[oracle] 4 unpriceable/absurd frames + 1 valid frame: the valid one applied after %d ms%n",
                millis);
        if (applied && millis > 2000) {
            mismatches.add(new Mismatch(labels.get(mint), "ingest delay after 4 unpriceable frames", "< 2000 ms",
                    millis + " ms (deterministic errors retried?)"));
        }
    }

    /**
     * A valid trade Redis answers with an error (its recent-trades key made a string): dead-lettered, then the key is
     * fixed, and the replay must apply it exactly once.
     */
    FeedFrame redisRejectedTrade(String mint) {
        String tradesKey = PREFIX + "trades:" + mint;
        try (Jedis jedis = jedis()) {
            jedis.del(tradesKey);
            jedis.set(tradesKey, "not-a-list");
        }
        FeedFrame trade = send(frames.trade(mint, true, 0.25));
        pendingDrain = null;
        if (deliveredSignatures.contains(trade.signature())) {
            softAwait("the trade Redis rejected is dead-lettered", Duration.ofSeconds(20), () -> deadLettersContain(trade));
        }
        try (Jedis jedis = jedis()) {
            if ("string".equals(jedis.type(tradesKey))) {
                jedis.del(tradesKey);
            }
        }
        return trade;
    }

    /**
     * A dead letter for a frame that WAS applied: what {@code RejectedFrames.recordBatch} leaves when a batch's Redis
     * write failed after part of it was applied. Filed through the app's own {@code redis/record-dead-letter.lua}, as
     * the batch error path files it, right after the trade was applied (its dedup key still exists, so the entry is
     * marked applied); by the time of the replay the dedup key has expired, and the replay must not count it again.
     */
    FeedFrame injectAppliedDeadLetter(String mint) throws Exception {
        FeedOracleDelivery pick = null;
        for (OracleFeed.Delivery d : feed.deliveries()) {
            if (d.frame().mint().equals(mint) && d.frame().kind() == Kind.TRADE && d.frame().accepted()) {
                pick = new FeedOracleDelivery(d.frame(), d.atMillis());
            }
        }
        Objects.requireNonNull(pick, "no applied trade of " + mint);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("reason", "PROCESSING_FAILED");
        entry.put("detail", "oracle: a batch whose Redis write failed after it was partly applied");
        entry.put("at", Instant.now().toString());
        entry.put("frameChars", pick.frame().json().length());
        entry.put("receiveSeq", pick.atMillis() * 1000);
        entry.put("receivedAt", pick.atMillis());
        entry.put("frame", pick.frame().json());
        ObjectMapper mapper = new ObjectMapper();
        entry.put("applied", false);
        String notApplied = mapper.writeValueAsString(entry);
        entry.put("applied", true);
        String applied = mapper.writeValueAsString(entry);
        String script = Files.readString(Path.of("src/main/resources/redis/record-dead-letter.lua"));
        try (Jedis jedis = jedis()) {
            Object marked = jedis.eval(script, List.of(PREFIX + "deadletter:frames",
                    PREFIX + "sig:" + pick.frame().signature() + ":" + mint),
                    List.of(notApplied, applied, "10000", "1"));
            assertThat(marked).as("the trade's dedup key still existed when its dead letter was filed").isEqualTo(1L);
        }
        return pick.frame();
    }

    record FeedOracleDelivery(FeedFrame frame, long atMillis) {}

    boolean deadLettersContain(FeedFrame frame) {
        try (Jedis jedis = jedis()) {
            return jedis.lrange(PREFIX + "deadletter:frames", 0, 200).stream()
                    .anyMatch(entry -> entry.contains(frame.signature()));
        }
    }

    void replayDeadLetters(App app, String source) {
        try {
            String auth = Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + app.port() + "/actuator/deadletters"))
                    .header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"source\":\"" + source + "\",\"max\":1000}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.printf("[oracle] replay %s: HTTP %d %s%n", source, response.statusCode(), response.body());
            if (response.statusCode() != 200) {
                mismatches.add(new Mismatch("-", "dead-letter replay (" + source + ")", "HTTP 200",
                        "HTTP " + response.statusCode() + " " + abbreviate(response.body())));
            }
        } catch (Exception e) {
            mismatches.add(new Mismatch("-", "dead-letter replay (" + source + ")", "HTTP 200", e.toString()));
        }
    }

    // ------------------------------------------------------------------ the comparison

    record Row(String name, String state, BigDecimal price, long trades, long buys, long sells, BigDecimal volume) {}

    void compareRows() throws Exception {
        Map<String, Row> rows = new LinkedHashMap<>();
        try (Connection db = db();
                ResultSet rs = db.createStatement().executeQuery("SELECT mint, name, state, price_sol, trade_count, "
                        + "buy_count, sell_count, volume_sol FROM token_discovery")) {
            while (rs.next()) {
                rows.put(rs.getString(1), new Row(rs.getString(2), rs.getString(3), rs.getBigDecimal(4), rs.getLong(5),
                        rs.getLong(6), rs.getLong(7), rs.getBigDecimal(8)));
            }
        }
        Map<String, GroundTruth.Token> tokens = truth.tokens();
        int compared = 0;
        for (GroundTruth.Token token : tokens.values()) {
            String mint = token.mint;
            boolean expectRow = GroundTruth.shouldPersist(token, MIN_TRADES, MIN_VOLUME_USD, SOL_USD);
            Row row = rows.get(mint);
            if (expectRow != (row != null)) {
                mismatches.add(new Mismatch(mint, "row", expectRow ? "present" : "absent (under thresholds)",
                        row == null ? "absent" : "present (trades " + row.trades() + ")"));
            }
            if (row == null) {
                continue;
            }
            compared++;
            field(mint, "trade_count", token.trades, row.trades());
            field(mint, "buy_count", token.buys, row.buys());
            field(mint, "sell_count", token.sells, row.sells());
            if (!close(token.volumeSol, row.volume())) {
                mismatches.add(new Mismatch(mint, "volume_sol", token.volumeSol.toPlainString(),
                        String.valueOf(row.volume())));
            }
            BigDecimal price = token.price == null ? null : new BigDecimal(Double.toString(token.price));
            if (!close(price, row.price())) {
                mismatches.add(new Mismatch(mint, "price_sol", String.valueOf(price), String.valueOf(row.price())));
            }
            if (token.migrated != "MIGRATED".equals(row.state())) {
                mismatches.add(new Mismatch(mint, "state", token.migrated ? "MIGRATED" : "not MIGRATED", row.state()));
            }
            if (!Objects.equals(token.name, row.name())) {
                mismatches.add(new Mismatch(mint, "name", show(token.name), show(row.name())));
            }
        }
        for (String mint : rows.keySet()) {
            if (!tokens.containsKey(mint)) {
                mismatches.add(new Mismatch(mint, "row", "absent (no frame delivered)", "present"));
            }
        }
        System.out.printf("[oracle] %d tokens in the ground truth, %d rows in token_discovery, %d compared field by "
                + "field%n", tokens.size(), rows.size(), compared);
    }

    void field(String mint, String field, long expected, long actual) {
        if (expected != actual) {
            mismatches.add(new Mismatch(mint, field, Long.toString(expected), Long.toString(actual)));
        }
    }

    static boolean close(BigDecimal expected, BigDecimal actual) {
        if (expected == null || actual == null) {
            return expected == null && actual == null;
        }
        if (expected.signum() == 0) {
            return actual.signum() == 0;
        }
        BigDecimal relative = expected.subtract(actual).abs().divide(expected.abs(), MathContext.DECIMAL64);
        return relative.compareTo(new BigDecimal("1e-9")) <= 0;
    }

    void checkConnections() {
        undelivered.forEach((mint, n) -> mismatches.add(new Mismatch(mint,
                "trades not delivered: mint not subscribed", "0 (inside its window or watched)", n + " trades")));
        if (feed.maxConcurrentConnections() != 1) {
            mismatches.add(new Mismatch("-", "feed connections open at once", "1",
                    Integer.toString(feed.maxConcurrentConnections())));
        }
    }

    void report(Duration took) {
        Map<String, GroundTruth.Token> tokens = truth.tokens();
        System.out.printf("[oracle] %d frames delivered over %d connections; %d tokens; runtime %d s%n",
                feed.deliveries().size(), feed.connections().size(), tokens.size(), took.toSeconds());
        notes.forEach(note -> System.out.println("[oracle] note: " + note));
        if (mismatches.isEmpty()) {
            return;
        }
        StringBuilder table = new StringBuilder();
        String format = "%-28s %-44s %-34s %s%n";
        table.append(String.format(format, "mint", "field", "expected", "actual"));
        for (Mismatch m : mismatches) {
            String label = labels.get(m.mint());
            // keys start with zero bytes, so base58 "111111...": the tail tells them apart
            String who = label == null ? m.mint() : label + " .." + m.mint().substring(m.mint().length() - 6);
            table.append(String.format(format, who, m.field(), m.expected(), m.actual()));
        }
        System.out.println("[oracle] " + mismatches.size() + " mismatches with the ground truth:\n" + table);
        fail(mismatches.size() + " mismatches with the ground truth (logs: target/oracle-test/app-*.log):\n" + table);
    }

    static String show(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 40; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7F || c > 0x7E ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return "\"" + sb + (s.length() > 40 ? "...\" (" + s.length() + " chars)" : "\"");
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    // ------------------------------------------------------------------ waiting and observing

    void phase(String name) {
        System.out.printf("[oracle] %4d s: phase %s%n", Duration.ofNanos(System.nanoTime() - testStartNanos).toSeconds(),
                name);
    }

    /** Waits for a condition; a timeout is a finding, reported with the others, and the scenario goes on. */
    boolean softAwait(String what, Duration atMost, Callable<Boolean> condition) {
        try {
            await(what).atMost(atMost).pollInterval(Duration.ofMillis(200)).until(condition);
            return true;
        } catch (ConditionTimeoutException e) {
            mismatches.add(new Mismatch("-", "wait: " + what, "within " + atMost.toSeconds() + " s", "timed out"));
            return false;
        }
    }

    /** Every live app answers and exactly one leads, holding the only feed connection (newer than {@code after}). */
    static App awaitOneLeader(Duration within, OracleFeed.Connection after) {
        App[] leader = new App[1];
        await("one leader holding the only feed connection").atMost(within).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    List<App> leaders = new ArrayList<>();
                    for (App app : apps) {
                        if (!app.process().isAlive()) {
                            continue;
                        }
                        Double gauge = leaderGauge(app);
                        if (gauge != null && gauge == 1.0) {
                            leaders.add(app);
                        }
                    }
                    OracleFeed.Connection current = feed.current();
                    if (leaders.size() != 1 || feed.openConnections() != 1 || current == null
                            || (after != null && current.id <= after.id)) {
                        return false;
                    }
                    leader[0] = leaders.get(0);
                    return true;
                });
        return leader[0];
    }

    static void awaitAppsAnswer(Duration within) {
        await("every replica answers").atMost(within).pollInterval(Duration.ofMillis(500))
                .until(() -> apps.stream().allMatch(app -> app.process().isAlive() && leaderGauge(app) != null));
    }

    static Double leaderGauge(App app) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + app.port() + "/actuator/prometheus"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("(?m)^tokendiscovery_cluster_leader\\{[^}]*} (\\S+)$").matcher(response.body());
            return m.find() ? Double.parseDouble(m.group(1)) : null;
        } catch (Exception notUp) {
            return null;
        }
    }

    static long lastSyncSuccess() {
        try (Jedis jedis = jedis()) {
            String value = jedis.get(PREFIX + "sync:last-success");
            return value == null ? 0 : Long.parseLong(value.trim());
        }
    }

    static boolean redisExists(String key) {
        try (Jedis jedis = jedis()) {
            return jedis.exists(key);
        }
    }

    static Jedis jedis() {
        return new Jedis("127.0.0.1", redis.port());
    }

    static Connection db() throws Exception {
        return DriverManager.getConnection(postgres.jdbcUrl());
    }
}
