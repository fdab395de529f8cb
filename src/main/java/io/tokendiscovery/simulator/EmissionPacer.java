package io.tokendiscovery.simulator;

/**
 * Turns the simulator's frame rate into a number of frames per timer tick: fractions carry over to the next tick, and
 * a backlog beyond {@link PumpPortalSimulator#MAX_BACKLOG_SECONDS} (a stalled loop, a GC pause) is skipped, not burst
 * out. Event loop only.
 */
final class EmissionPacer {

    private long lastTickNanos;
    private double owed;

    /** Starts counting time from {@code nowNanos}. */
    void start(long nowNanos) {
        lastTickNanos = nowNanos;
    }

    /** Frames to emit at {@code nowNanos}; frames skipped for the backlog cap are counted in {@code stats}. */
    int due(long nowNanos, double rate, boolean paused, SimulatorStats stats) {
        double elapsed = (nowNanos - lastTickNanos) / 1e9;
        lastTickNanos = nowNanos;
        if (paused || rate <= 0) {
            owed = 0;
            return 0;
        }
        owed += rate * elapsed;
        double cap = Math.max(1, rate * PumpPortalSimulator.MAX_BACKLOG_SECONDS);
        if (owed > cap) {
            stats.framesSkipped((long) (owed - cap));
            owed = cap;
        }
        int n = (int) owed;
        owed -= n;
        return n;
    }
}
