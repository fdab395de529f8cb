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

    /** Measured intervals of a mode (write-through: one, see {@link BenchSettings#incidentScale(Mode)}). */
    static int intervals(BenchSettings settings, Mode mode) {
        return mode == Mode.WRITE_THROUGH ? 1 : settings.incidentIntervals();
    }

    static WindowResult run(BenchSettings settings, Mode mode, int repeat) throws Exception {
        Duration interval = settings.incidentInterval(mode);
        int scale = settings.incidentScale(mode);
        double rate = INCIDENT_SWAPS_PER_SECOND * scale;
        // write-through has no sync to wait for: its writes are steady from the first swap
        int warmup = mode == Mode.WRITE_THROUGH ? 0 : settings.incidentWarmupIntervals();
        int intervals = intervals(settings, mode);
        System.out.printf("[incident] %s: %.0f frames/s, sync every %s, %d warm-up + %d measured intervals%n",
                mode.label, rate, interval, warmup, intervals);
        try (BenchServers servers = BenchServers.start(settings, interval);
                Feed feed = new Feed(rate, ACTIVE_MINTS, CREATE_SHARE, 41 + repeat);
                AppUnderTest t = AppUnderTest.start(settings, mode, servers, feed,
                        mode == Mode.WRITE_THROUGH ? AppUnderTest.NEVER : Crons.every(interval),
                        interval.toMillis(), false, Map.of(),
                        settings.out().resolve("logs/incident-" + mode.label + "-" + repeat + ".log"))) {
            Thread.sleep(Math.max(30_000, interval.toMillis() * warmup));
            if (mode != Mode.WRITE_THROUGH) {
                Window.awaitMidInterval(interval);
            }
            return Window.measure(t, "incident", "x" + scale, interval.multipliedBy(intervals));
        }
    }
}
