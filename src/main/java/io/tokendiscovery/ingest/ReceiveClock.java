package io.tokendiscovery.ingest;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receive sequence stamped on every frame at the socket. Frames carry no sequence of their own, so receive
 * order is the truth. The sequence is a hybrid logical clock in microseconds: {@code max(previous + 1, now)}, so it
 * is strictly increasing within a process AND across restarts and leader changes (as far as clocks agree), which a
 * plain counter is not. Every "latest value" write in Redis is guarded by it.
 */
public final class ReceiveClock {

    private final Clock clock;
    private final AtomicLong last = new AtomicLong();

    public ReceiveClock(Clock clock) {
        this.clock = clock;
    }

    public long next() {
        java.time.Instant now = clock.instant();
        long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        return last.accumulateAndGet(nowMicros, (prev, current) -> Math.max(prev + 1, current));
    }
}
