package io.tokendiscovery.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One benchmark run of one mode: fresh servers, the harness's simulator, the app as its own process connected to
 * both, a live-push client, the Redis latency probe (embedded Redis only) and, in Phase 1 mode, the harness's
 * Phase 1 sync. Closing stops all of it, app first (graceful).
 */
final class AppUnderTest implements AutoCloseable {

    /** A Quartz cron that does not fire during a benchmark. */
    static final String NEVER = "0 0 0 1 1 ? 2099";

    final Mode mode;
    final BenchServers servers;
    final Feed feed;
    final AppProcess app;
    final LiveClient live;
    final RedisLatencyProbe probe;
    final BenchRedis redis;
    final Connection monitor;
    final Phase1Sync phase1;

    private AppUnderTest(Mode mode, BenchServers servers, Feed feed, AppProcess app, LiveClient live,
            RedisLatencyProbe probe, BenchRedis redis, Connection monitor, Phase1Sync phase1) {
        this.mode = mode;
        this.servers = servers;
        this.feed = feed;
        this.app = app;
        this.live = live;
        this.probe = probe;
        this.redis = redis;
        this.monitor = monitor;
        this.phase1 = phase1;
    }

    /**
     * @param syncCron the write-behind sync's cron (write-behind mode); Phase 1 runs every {@code phase1IntervalMs}
     * @param probe whether to run the {@link RedisLatencyProbe} when the app has no frame -> Redis timer of its own
     *     (its 1,024 probe mints are synced too)
     * @param overrides further app properties of the scenario
     */
    static AppUnderTest start(BenchSettings settings, Mode mode, BenchServers servers, Feed feed, String syncCron,
            long phase1IntervalMs, boolean probe, Map<String, String> overrides, Path log) throws Exception {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.datasource.url", servers.jdbcUrl());
        p.put("spring.flyway.schemas", servers.schema());
        p.put("spring.data.redis.url", servers.redisUrl());
        p.put("tokendiscovery.redis.key-prefix", servers.keyPrefix());
        p.put("tokendiscovery.pumpportal.url", feed.url());
        p.put("tokendiscovery.pumpportal.api-key", feed.apiKey());
        p.put("tokendiscovery.simulator.enabled", "false");
        // Firehose trades are not paid for; the budget would otherwise shrink subscriptions mid-run.
        p.put("tokendiscovery.pumpportal.daily-budget-sol", "0");
        // The periodic read-side jobs also write PostgreSQL; off, so the figures are the token writes alone.
        p.put("tokendiscovery.jobs.hot-score-cron", NEVER);
        p.put("tokendiscovery.jobs.market-data-cron", NEVER);
        p.put("tokendiscovery.jobs.watch-list-sync-cron", NEVER);
        p.put("tokendiscovery.sync.max-batch-size", "200000");
        p.put("tokendiscovery.sync.initial-delay", "87600h");
        p.put("tokendiscovery.write-mode", mode == Mode.WRITE_THROUGH ? "write-through" : "write-behind");
        p.put("tokendiscovery.sync.cron", mode == Mode.WRITE_BEHIND ? syncCron : NEVER);
        p.putAll(overrides);
        p.putAll(settings.appProperties());
        AppProcess app = AppProcess.start(settings, p, log);
        LiveClient live = null;
        RedisLatencyProbe redisProbe = null;
        BenchRedis redis = null;
        Phase1Sync phase1 = null;
        try {
            feed.awaitConnection();
            live = settings.liveClient() ? new LiveClient(app.livePort()) : null;
            redis = new BenchRedis(servers);
            boolean appTimesRedis = Prometheus.scrape(app).has(Window.REDIS_TIMER + "_bucket");
            if (probe && !appTimesRedis && settings.redisUrl().isBlank()) {
                redisProbe = new RedisLatencyProbe(servers, feed);
            }
            if (mode == Mode.PHASE1) {
                phase1 = new Phase1Sync(servers);
                phase1.start(phase1IntervalMs);
            }
            return new AppUnderTest(mode, servers, feed, app, live, redisProbe, redis, servers.connect(), phase1);
        } catch (Exception e) {
            app.close();
            throw e;
        }
    }

    Snapshot snapshot() throws Exception {
        return new Snapshot(System.nanoTime(), System.currentTimeMillis(), ProcessStats.sample(app.pid()),
                Prometheus.scrape(app), PostgresCounters.read(monitor, servers.schema()), feed.framesSent(),
                feed.framesLost(), feed.framesSkipped(), ProcessStats.sample(ProcessHandle.current().pid()).cpuSeconds(),
                redis.cpuSeconds());
    }

    @Override
    public void close() throws Exception {
        if (phase1 != null) {
            phase1.close();
        }
        if (probe != null) {
            probe.close();
        }
        if (live != null) {
            live.close();
        }
        app.close();
        monitor.close();
        if (!servers.embeddedRedis()) {
            redis.deleteRunKeys();
        }
        redis.close();
    }
}
