package io.tokendiscovery.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Frames the app accepted and then could not keep: never silent. Each loss is counted in
 * {@code tokendiscovery.ingest.frames.lost{reason}} (every reason registered at start, so the series exist at 0 and
 * the alert {@code TokenDiscoveryFramesLost} can see an increase) and logged at ERROR, at most one line per second
 * per reason (the line carries the frames lost since the previous one).
 */
@Component("lostFrames")
public class LostFrames {

    private static final Logger log = LoggerFactory.getLogger(LostFrames.class);

    /** Why frames were lost. */
    public enum Reason {
        /** Dead letters filed while Redis was down, beyond {@code tokendiscovery.redis.dead-letter-spill-max-entries}. */
        DEAD_LETTER_SPILL_FULL("dead_letter_spill_full"),
        /** A batch whose error handling failed too (a bug): its frames are neither in Redis nor dead-lettered. */
        UNHANDLED("unhandled"),
        /** Frames still in the receive queue when the feed stopped and its dispatcher did not finish within 30 s. */
        SHUTDOWN_UNDRAINED("shutdown_undrained");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);
    private final Map<Reason, long[]> logState = new EnumMap<>(Reason.class);

    public LostFrames(MeterRegistry meters) {
        for (Reason reason : Reason.values()) {
            counters.put(reason, Counter.builder("tokendiscovery.ingest.frames.lost")
                    .description("Frames accepted from PumpPortal and then lost (neither in Redis nor dead-lettered)")
                    .tag("reason", reason.tag())
                    .register(meters));
            logState.put(reason, new long[] {Long.MIN_VALUE / 2, 0});
        }
    }

    public void lost(Reason reason, int frames, String detail) {
        if (frames <= 0) {
            return;
        }
        counters.get(reason).increment(frames);
        long[] state = logState.get(reason);
        long now = System.nanoTime();
        long toLog;
        synchronized (state) {
            state[1] += frames;
            if (now - state[0] < 1_000_000_000L) {
                return;
            }
            state[0] = now;
            toLog = state[1];
            state[1] = 0;
        }
        log.error("LOST {} PumpPortal frame(s), reason={}: {} (further losses within a second are counted in "
                + "tokendiscovery.ingest.frames.lost, not logged)", toLog, reason.tag(), detail);
    }

    public double count(Reason reason) {
        return counters.get(reason).count();
    }
}
