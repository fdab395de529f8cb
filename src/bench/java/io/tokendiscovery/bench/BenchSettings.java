package io.tokendiscovery.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Every knob of the end-to-end benchmark, from system properties ({@code -Dbench.*} on the Maven command line).
 * Defaults keep one complete run near 20 minutes on a 2-core machine; docs/benchmarks.md lists them.
 */
record BenchSettings(
        Path appJar,
        String appJvmArgs,
        java.util.Map<String, String> appProperties,
        java.util.Map<String, String> pgSettings,
        boolean liveClient,
        List<Mode> modes,
        List<String> scenarios,
        String jdbcUrl,
        String redisUrl,
        int incidentScale,
        int incidentScaleWriteThrough,
        int incidentWarmupIntervals,
        int incidentIntervals,
        List<Integer> burstRates,
        Duration burstWarmup,
        int burstWarmupRate,
        Duration burstStep,
        int manyTokens,
        int manyRate,
        Duration manyInterval,
        int manyIntervals,
        List<Integer> syncSizes,
        int syncReps,
        Path out) {

    static BenchSettings fromSystemProperties() {
        return new BenchSettings(
                Path.of(System.getProperty("bench.appJar", "target/token-discovery-0.1.0-SNAPSHOT.jar")),
                System.getProperty("bench.appJvmArgs", ""),
                list("bench.appProperties", "").stream().map(kv -> kv.split("=", 2))
                        .collect(java.util.stream.Collectors.toMap(kv -> kv[0], kv -> kv[1])),
                list("bench.pgSettings", "").stream().map(kv -> kv.split("=", 2))
                        .collect(java.util.stream.Collectors.toMap(kv -> kv[0], kv -> kv[1])),
                Boolean.parseBoolean(System.getProperty("bench.liveClient", "true")),
                Arrays.stream(System.getProperty("bench.modes", "write-through,phase1,write-behind").split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).map(Mode::of).toList(),
                list("bench.scenarios", "incident,burst,many,sync"),
                System.getProperty("bench.jdbcUrl", ""),
                System.getProperty("bench.redisUrl", ""),
                Integer.getInteger("bench.incidentScale", 10),
                Integer.getInteger("bench.incidentScaleWriteThrough", 2),
                Integer.getInteger("bench.incidentWarmupIntervals", 1),
                Integer.getInteger("bench.incidentIntervals", 3),
                list("bench.burstRates", "5000,10000,20000,30000,40000,50000").stream().map(Integer::parseInt).toList(),
                Duration.parse("PT" + System.getProperty("bench.burstWarmup", "20s")),
                Integer.getInteger("bench.burstWarmupRate", 1000),
                Duration.parse("PT" + System.getProperty("bench.burstStep", "15s")),
                Integer.getInteger("bench.manyTokens", 100_000),
                Integer.getInteger("bench.manyRate", 10_000),
                Duration.parse("PT" + System.getProperty("bench.manyInterval", "30s")),
                Integer.getInteger("bench.manyIntervals", 2),
                list("bench.syncSizes", "1000,10000,100000").stream().map(Integer::parseInt).toList(),
                Integer.getInteger("bench.syncReps", 3),
                Path.of(System.getProperty("bench.out", "target/bench")));
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    /**
     * Incident time compression of a mode: write-through cannot keep up with 41 x 10 upserts/s here (it falls
     * behind and would write only what it managed), so it runs less compressed.
     */
    int incidentScale(Mode mode) {
        return mode == Mode.WRITE_THROUGH ? incidentScaleWriteThrough : incidentScale;
    }

    /** Incident: one real 5-minute sync interval is compressed into 300 / scale seconds. */
    Duration incidentInterval(Mode mode) {
        return Duration.ofSeconds(300 / incidentScale(mode));
    }

    private static List<String> list(String property, String defaults) {
        return Arrays.stream(System.getProperty(property, defaults).split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
