package io.tokendiscovery.bench;

/** The figures of one measured window (see {@link Window}). Latencies in ms, memory in bytes. */
record WindowResult(
        String scenario,
        String mode,
        String label,
        double seconds,
        long framesSent,
        long framesAccepted,
        long framesLost,
        long framesSkipped,
        double acceptedPerSecond,
        double cpuCores,
        double harnessCores,
        double redisCores,
        long rssBytes,
        long peakRssBytes,
        double[] redisLatency,
        String redisLatencySource,
        long redisLatencySamples,
        double[] uiLatency,
        PostgresCounters postgres,
        int syncRuns,
        long syncTokens,
        double syncMedianMillis,
        long redisUsedMemory,
        long redisTokens) {}
