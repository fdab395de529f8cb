package io.tokendiscovery.bench;

/** Everything the harness reads at the start and at the end of a measured window. */
record Snapshot(
        long nanos,
        long epochMillis,
        ProcessStats.Sample process,
        Prometheus metrics,
        PostgresCounters postgres,
        long framesSent,
        long framesLost,
        long framesSkipped,
        double harnessCpuSeconds,
        double redisCpuSeconds) {}
