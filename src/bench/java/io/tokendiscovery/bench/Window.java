package io.tokendiscovery.bench;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

/**
 * One measured window of a running {@link AppUnderTest}: snapshot, wait, snapshot, and the differences as a
 * {@link WindowResult}. Latency samples recorded before the window are discarded at its start.
 */
final class Window {

    static final String REDIS_TIMER = "tokendiscovery_ingest_redis_latency_seconds";

    private Window() {}

    /**
     * Sleeps until the middle of a sync interval. Syncs (cron) and Phase 1 runs start at whole multiples of the
     * interval since the epoch, so a window that starts half-way through an interval and lasts whole intervals
     * holds exactly that many runs, none cut by its edges, and nothing is being written at its edges.
     */
    static void awaitMidInterval(Duration interval) throws InterruptedException {
        long ms = interval.toMillis();
        long into = System.currentTimeMillis() % ms;
        Thread.sleep(Math.floorMod(ms / 2 - into, ms));
    }

    static WindowResult measure(AppUnderTest t, String scenario, String label, Duration length) throws Exception {
        if (t.live != null) {
            t.live.latencies().drain();
        }
        if (t.probe != null) {
            t.probe.latencies().drain();
        }
        Snapshot a = t.snapshot();
        Thread.sleep(length.toMillis());
        Snapshot b = t.snapshot();
        java.nio.file.Files.writeString(t.app.log().resolveSibling(t.app.log().getFileName() + ".prom"),
                String.join("\n", b.metrics().series().keySet()));
        return result(t, scenario, label, a, b);
    }

    static WindowResult result(AppUnderTest t, String scenario, String label, Snapshot a, Snapshot b)
            throws Exception {
        double seconds = (b.nanos() - a.nanos()) / 1e9;
        double accepted = accepted(b.metrics()) - accepted(a.metrics());
        double[] ui = t.live == null ? new double[] {Double.NaN, Double.NaN, Double.NaN}
                : LatencyRecorder.percentiles(t.live.latencies().drain(), 0.5, 0.99, 0.999);
        double[] redis;
        String source;
        long redisSamples;
        if (b.metrics().has(REDIS_TIMER + "_bucket")) {
            List<Double> q = Prometheus.quantiles(a.metrics(), b.metrics(), REDIS_TIMER, 0.5, 0.99, 0.999);
            redis = new double[] {q.get(0) * 1000, q.get(1) * 1000, q.get(2) * 1000};
            source = "app timer";
            redisSamples = (long) Prometheus.count(a.metrics(), b.metrics(), REDIS_TIMER);
        } else if (t.probe != null) {
            double[] sample = t.probe.latencies().drain();
            redis = LatencyRecorder.percentiles(sample, 0.5, 0.99, 0.999);
            source = "probe";
            redisSamples = sample.length;
        } else {
            redis = new double[] {Double.NaN, Double.NaN, Double.NaN};
            source = "n/a";
            redisSamples = 0;
        }
        SyncRuns syncs = syncRuns(t, a, b);
        return new WindowResult(scenario, t.mode.label, label, seconds, b.framesSent() - a.framesSent(),
                Math.round(accepted), b.framesLost() - a.framesLost(), b.framesSkipped() - a.framesSkipped(),
                accepted / seconds,
                b.process().coresSince(a.process()),
                (b.harnessCpuSeconds() - a.harnessCpuSeconds()) / seconds,
                (b.redisCpuSeconds() - a.redisCpuSeconds()) / seconds,
                b.process().rssBytes(), ProcessStats.peakRssBytes(t.app.pid()),
                redis, source, redisSamples, ui, b.postgres().minus(a.postgres()), syncs.runs, syncs.tokens,
                syncs.medianMillis, t.redis.usedMemory(), t.redis.count("token:*"));
    }

    /** Frames whose route completed (Redis written): the app's timer count, else Camel's exchange counter. */
    static double accepted(Prometheus m) {
        if (m.has(REDIS_TIMER + "_count")) {
            return m.sum(REDIS_TIMER + "_count");
        }
        if (m.has("camel_exchanges_succeeded_total")) {
            return m.sum("camel_exchanges_succeeded_total", "routeId=\"pumpportal-ingest\"");
        }
        return m.sum("tokendiscovery_ingest_frames_total");
    }

    private record SyncRuns(int runs, long tokens, double medianMillis) {}

    private static SyncRuns syncRuns(AppUnderTest t, Snapshot a, Snapshot b) throws Exception {
        if (t.phase1 != null) {
            List<Phase1Sync.Run> runs = t.phase1.runs().stream()
                    .filter(r -> r.startedAtNanos() >= a.nanos() && r.startedAtNanos() < b.nanos()).toList();
            double[] millis = runs.stream().mapToDouble(Phase1Sync.Run::millis).toArray();
            return new SyncRuns(runs.size(), runs.stream().mapToLong(Phase1Sync.Run::keys).sum(),
                    LatencyRecorder.percentiles(millis, 0.5)[0]);
        }
        try (PreparedStatement ps = t.monitor.prepareStatement("SELECT count(*), coalesce(sum(total), 0), "
                + "percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FROM sync_run "
                + "WHERE started_at >= to_timestamp(? / 1000.0) AND started_at < to_timestamp(? / 1000.0)")) {
            ps.setLong(1, a.epochMillis());
            ps.setLong(2, b.epochMillis());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                double median = rs.getDouble(3);
                return new SyncRuns(rs.getInt(1), rs.getLong(2), rs.wasNull() ? Double.NaN : median);
            }
        }
    }
}
