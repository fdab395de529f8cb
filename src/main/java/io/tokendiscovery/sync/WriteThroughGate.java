package io.tokendiscovery.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.TokenUpdate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Write-through never blocks ingest (routes/write-through.camel.yaml): the ingest only asks {@link #admit} which
 * mints of its batch to hand to the bounded write-through queue, and the writer asks {@link #isOpen} before each
 * upsert. After a failed upsert ({@link #failed}: database down, slow or locked) the gate is open for
 * {@code tokendiscovery.write-through.cool-down}: write-through is skipped in microseconds, and the first write after
 * the cool-down tries the database again. Nothing is lost by skipping or dropping: the token was marked dirty in
 * Redis by the same script that applied the change, and only a sync's acknowledgement clears that mark.
 *
 * <p>{@code tokendiscovery.write.through.skipped{reason}} counts tokens not written through: {@code circuit_open}
 * (the gate was open) or {@code queue_full} (the writer's queue was full).
 */
@Component("writeThroughGate")
public class WriteThroughGate {

    private static final Logger log = LoggerFactory.getLogger(WriteThroughGate.class);

    private final Clock clock;
    private final long coolDownMillis;
    private final Counter circuitOpen;
    private final Counter queueFull;
    private volatile long openUntilMillis;

    public WriteThroughGate(Clock clock, TokenDiscoveryProperties properties, MeterRegistry meters) {
        this.clock = clock;
        this.coolDownMillis = properties.writeThrough().coolDown().toMillis();
        this.circuitOpen = skipped(meters, "circuit_open");
        this.queueFull = skipped(meters, "queue_full");
    }

    /**
     * @param updates the changes of one ingest batch
     * @return the distinct mints to hand to the writer; none while the gate is open (counted as skipped)
     */
    public List<String> admit(List<TokenUpdate> updates) {
        Set<String> mints = new LinkedHashSet<>();
        for (TokenUpdate update : updates) {
            mints.add(update.mint());
        }
        if (isOpen()) {
            circuitOpen.increment(mints.size());
            return List.of();
        }
        return new ArrayList<>(mints);
    }

    /** True while a recent failure keeps write-through off. */
    public boolean isOpen() {
        return openUntilMillis != 0 && clock.millis() < openUntilMillis;
    }

    /** The writer skipped one token because the gate was open. */
    public void skipped() {
        circuitOpen.increment();
    }

    /** The writer's queue was full: the hand-off of these mints was dropped. */
    public void dropped(List<String> mints) {
        queueFull.increment(mints == null ? 1 : Math.max(1, mints.size()));
    }

    /** An upsert failed: skip write-through for the cool-down. */
    public void failed() {
        boolean wasOpen = isOpen();
        openUntilMillis = clock.millis() + coolDownMillis;
        if (!wasOpen) {
            log.warn("Write-through paused for {} ms after a failed write; changes stay dirty for the next sync",
                    coolDownMillis);
        }
    }

    private static Counter skipped(MeterRegistry meters, String reason) {
        return Counter.builder("tokendiscovery.write.through.skipped")
                .description("Tokens not written through (they stay dirty; the next sync writes them), by reason")
                .tag("reason", reason)
                .register(meters);
    }
}
