package io.tokendiscovery.bench;

import io.tokendiscovery.TestProperties;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.cache.TokenHashes;
import io.tokendiscovery.sync.SyncClaim;
import io.tokendiscovery.sync.TokenSnapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Sync duration per batch size against the raw SQL floor of the same batch. Per size N (1k, 10k, 100k) and
 * repetition: N crafted buys for N new mints reach the app (ingest idle otherwise, sync cron off); once the dirty
 * set holds N tokens the harness runs the app's sync route once ({@link SyncTrigger}) and reads its
 * {@code sync_run.duration_ms} (claim, HMGET of the claimed hashes, upsert in one transaction; the acknowledgement after commit
 * is not in it). Then the same N token hashes are read from Redis into the same arrays ({@link TokenSnapshots}) and
 * written by {@link FloorUpsert} into an empty copy of the schema: INSERT pass. Then N more buys for the same mints:
 * UPDATE pass, app then floor. Lazy persistence is off ({@code min-trades=0}) so every token is written.
 */
final class SyncBatchScenario {

    /**
     * @param phases milliseconds of the app's sync steps in this run (claim, read, write incl. commit, acknowledge),
     *     from the difference of {@code tokendiscovery_sync_phase_seconds_sum} before and after
     */
    record Result(int size, String pass, int repeat, long claimed, long written, double appMillis, double callMillis,
            double floorMillis, int floorRows, Map<String, Double> phases) {

        double phase(String name) {
            return phases.getOrDefault(name, Double.NaN);
        }

        double ratio() {
            return appMillis / floorMillis;
        }
    }

    static final List<String> PHASES = List.of("claim", "read", "write", "acknowledge");

    private SyncBatchScenario() {}

    static List<Result> run(BenchSettings settings) throws Exception {
        List<Result> results = new ArrayList<>();
        System.out.printf("[sync] sizes %s, %d repetitions%n", settings.syncSizes(), settings.syncReps());
        TokenDiscoveryProperties props = null;
        try (BenchServers servers = BenchServers.start(settings, Duration.ofMinutes(5));
                Feed feed = new Feed(0, 500, 0.05, 5);
                AppUnderTest t = AppUnderTest.start(settings, Mode.WRITE_BEHIND, servers, feed, AppUnderTest.NEVER,
                        0, false, Map.of("tokendiscovery.persistence.min-trades", "0"),
                        settings.out().resolve("logs/sync-batches.log"));
                SyncTrigger trigger = new SyncTrigger(t.app.pid());
                BenchDatabase floorDb = BenchDatabase.open(servers.baseJdbcUrl())) {
            props = TestProperties.with(Map.of("tokendiscovery.redis.key-prefix", servers.keyPrefix(),
                    "tokendiscovery.persistence.min-trades", "0"));
            LettuceConnectionFactory factory = new LettuceConnectionFactory(redisConfig(servers));
            factory.afterPropertiesSet();
            factory.start();
            StringRedisTemplate template = new StringRedisTemplate(factory);
            TokenSnapshots snapshots = new TokenSnapshots(new TokenHashes(template, new RedisKeys(props)), props);
            UpsertStatements.Jdbc statement = UpsertStatements.setBased(Files.readString(
                    Path.of(props.sync().sqlDirectory(), "upsert-token-batch.sql")).replace(":#", ":"));
            try (FloorUpsert floor = new FloorUpsert(floorDb.connect(false), statement)) {
                int set = 1;
                for (int repeat = 0; repeat < settings.syncReps(); repeat++) {
                    for (int size : settings.syncSizes()) {
                        CraftedTrades trades = new CraftedTrades(size, 1000 + set++, System.nanoTime());
                        List<String> mints = new ArrayList<>(size);
                        for (int i = 0; i < size; i++) {
                            mints.add(trades.mint(i));
                        }
                        floorDb.execute("TRUNCATE token_discovery");
                        for (String pass : List.of("INSERT", "UPDATE")) {
                            int offset = pass.equals("INSERT") ? 0 : size;
                            Result r = once(t, feed, trigger, i -> trades.frame(offset + i), size, pass, repeat,
                                    snapshots, mints, floor);
                            results.add(r);
                            System.out.printf("[sync] %d %s: app %.0f ms (call %.0f ms), floor %.0f ms, ratio %.2f, "
                                    + "claimed %d, written %d%n", size, pass, r.appMillis(), r.callMillis(),
                                    r.floorMillis(), r.ratio(), r.claimed(), r.written());
                        }
                    }
                }
            } finally {
                factory.destroy();
            }
        }
        return results;
    }

    private static Result once(AppUnderTest t, Feed feed, SyncTrigger trigger, IntFunction<String> frames, int size,
            String pass, int repeat, TokenSnapshots snapshots, List<String> mints, FloorUpsert floor)
            throws Exception {
        feed.paceCrafted(frames, 20_000, size);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (t.redis.dirty() < size) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Only " + t.redis.dirty() + " of " + size + " tokens became dirty");
            }
            Thread.sleep(100);
        }
        feed.stopCrafted();
        Thread.sleep(500);
        Prometheus before = Prometheus.scrape(t.app);
        double call = trigger.syncNow();
        Prometheus after = Prometheus.scrape(t.app);
        Map<String, Double> phases = new java.util.LinkedHashMap<>();
        for (String phase : PHASES) {
            phases.put(phase, 1000 * (after.sum("tokendiscovery_sync_phase_seconds_sum", "phase=\"" + phase + "\"")
                    - before.sum("tokendiscovery_sync_phase_seconds_sum", "phase=\"" + phase + "\"")));
        }
        long claimed;
        long written;
        double appMillis;
        try (Statement s = t.monitor.createStatement();
                ResultSet rs = s.executeQuery("SELECT total, inserted + updated, duration_ms FROM sync_run "
                        + "ORDER BY id DESC LIMIT 1")) {
            rs.next();
            claimed = rs.getLong(1);
            written = rs.getLong(2);
            appMillis = rs.getDouble(3);
        }
        Map<String, Object> batch = snapshots.load(new SyncClaim("bench-floor", System.currentTimeMillis(), mints, 0));
        long start = System.nanoTime();
        int rows = floor.write(batch);
        double floorMillis = (System.nanoTime() - start) / 1e6;
        return new Result(size, pass, repeat, claimed, written, appMillis, call, floorMillis, rows, phases);
    }

    private static RedisStandaloneConfiguration redisConfig(BenchServers servers) {
        RedisStandaloneConfiguration config = new RedisStandaloneConfiguration(servers.redisHost(),
                servers.redisPort());
        config.setDatabase(servers.redisDatabase());
        return config;
    }
}
