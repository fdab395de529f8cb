package io.tokendiscovery.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end benchmark (issue #8): {@code ./mvnw -Pbench verify}. Runs every selected scenario for every
 * selected mode (each mode with fresh servers and a fresh app process), then writes
 * {@code target/bench/end-to-end.md} and the PNG charts. Settings: {@link BenchSettings}; method and caveats:
 * docs/benchmarks.md. Not a test: failsafe runs it only in the {@code bench} profile.
 */
class EndToEndBenchmark {

    private interface Scenario {
        void run() throws Exception;
    }

    /** A scenario that fails (e.g. the app process was stopped from outside) is noted in the report; the rest runs. */
    private static void attempt(Results results, String what, Scenario scenario) {
        try {
            scenario.run();
        } catch (Exception e) {
            System.out.println("[bench] " + what + " failed: " + e);
            results.notes.add(what + " failed, not in the tables: " + e);
        }
    }

    @Test
    void run() throws Exception {
        Object root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        BenchSettings settings = BenchSettings.fromSystemProperties();
        if (!Files.exists(settings.appJar())) {
            throw new IllegalStateException("No app jar at " + settings.appJar() + ": run ./mvnw -Pbench verify");
        }
        Files.createDirectories(settings.out().resolve("logs"));
        int repeats = Integer.getInteger("bench.repeats", 1);
        String started = Instant.now().toString();
        String loadAtStart = Files.readString(Path.of("/proc/loadavg")).trim();
        Results results = new Results();
        for (int run = 0; run < repeats; run++) {
            int r = run;
            for (Mode mode : settings.modes()) {
                if (settings.runs("incident")) {
                    attempt(results, "incident " + mode.label, () -> results.incidents.add(new Results.Incident(r,
                            IncidentScenario.run(settings, mode, r), IncidentScenario.intervals(settings, mode))));
                }
            }
            for (Mode mode : settings.modes()) {
                if (settings.runs("burst")) {
                    attempt(results, "burst " + mode.label, () -> results.bursts.add(
                            new Results.Burst(r, mode.label, BurstScenario.run(settings, mode, r))));
                }
            }
            for (Mode mode : settings.modes()) {
                if (settings.runs("many")) {
                    attempt(results, "many " + mode.label, () -> results.many.add(
                            new Results.Many(r, ManyTokensScenario.run(settings, mode, r), settings.manyIntervals())));
                }
            }
        }
        if (settings.runs("sync")) {
            attempt(results, "sync", () -> results.syncs.addAll(SyncBatchScenario.run(settings)));
        }
        String header = "## End-to-end run " + started + " to " + Instant.now() + "\n\n"
                + "- Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + "; load average at start " + loadAtStart + ", at end "
                + Files.readString(Path.of("/proc/loadavg")).trim() + "\n"
                + "- Servers: " + (settings.jdbcUrl().isBlank() ? "embedded PostgreSQL 14 (fsync=on, synchronous_commit=on,"
                        + " pg_stat_statements" + (settings.pgSettings().isEmpty() ? "" : ", " + settings.pgSettings()) + ")"
                        : settings.jdbcUrl()) + ", "
                + (settings.redisUrl().isBlank() ? "embedded Redis 6.2 (AOF everysec)" : settings.redisUrl()) + "\n"
                + "- App JVM options: " + (settings.appJvmArgs().isBlank() ? "(none: JVM defaults)" : settings.appJvmArgs())
                + "; extra app properties " + settings.appProperties() + "; live-push client "
                + (settings.liveClient() ? "on" : "off") + "; modes " + settings.modes().stream().map(m -> m.label).toList() + "; runs " + repeats + "\n";
        String report = new ReportWriter(settings, results).write(header);
        Files.writeString(settings.out().resolve("end-to-end.md"), report);
        ReportChart.burst(results, settings.out().resolve("burst.png"));
        ReportChart.incident(results, settings.out().resolve("incident.png"));
        System.out.println(report);
    }
}
