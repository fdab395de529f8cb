package io.tokendiscovery.bench;

import java.time.Duration;
import java.util.Map;

/**
 * The incident's load, time-compressed by {@code bench.incidentScale} = k: 41 x k frames/s over at most 150 active
 * mints, one sync every 300 / k seconds, PostgreSQL's checkpoint_timeout 300 / k s (at least 30 s). The simulator's
 * market is defined per frame, not per second (heat decays over 3,000 frames), so one compressed interval sees the
 * same frames, the same tokens and the same number of swaps as one real 5-minute interval at 41 swaps/s. Figures
 * per interval are therefore figures per real 5 minutes. What does not scale: wall-clock costs (sync duration,
 * CPU per second) and PostgreSQL's own timers (autovacuum naptime, WAL writer).
 */
final class IncidentScenario {

    static final double INCIDENT_SWAPS_PER_SECOND = 41;
    static final int ACTIVE_MINTS = 150;
    /** Few creates, so the active set stays near 150 (about 123 new tokens per 5 minutes). */
    static final double CREATE_SHARE = 0.01;

    private IncidentScenario() {}

    static WindowResult run(BenchSettings settings, Mode mode, int repeat) throws Exception {
        Duration interval = settings.incidentInterval();
        double rate = INCIDENT_SWAPS_PER_SECOND * settings.incidentScale();
        System.out.printf("[incident] %s: %.0f frames/s, sync every %s, %d warm-up + %d measured intervals%n",
                mode.label, rate, interval, settings.incidentWarmupIntervals(), settings.incidentIntervals());
        try (BenchServers servers = BenchServers.start(settings, interval);
                Feed feed = new Feed(rate, ACTIVE_MINTS, CREATE_SHARE, 41 + repeat);
                AppUnderTest t = AppUnderTest.start(settings, mode, servers, feed, Crons.every(interval),
                        interval.toMillis(), false, Map.of(),
                        settings.out().resolve("logs/incident-" + mode.label + "-" + repeat + ".log"))) {
            Thread.sleep(interval.toMillis() * settings.incidentWarmupIntervals());
            Window.awaitMidInterval(interval);
            return Window.measure(t, "incident", "x" + settings.incidentScale(),
                    interval.multipliedBy(settings.incidentIntervals()));
        }
    }
}
