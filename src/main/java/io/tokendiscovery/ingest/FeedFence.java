package io.tokendiscovery.ingest;

/**
 * Whether this process may still act on the PumpPortal feed: apply a received frame, send a subscription message or a
 * ping. Asked right before every such act, so a process that was frozen (SIGSTOP, a long GC pause, a partition) and
 * has lost its leadership meanwhile does nothing once it runs again, whatever its threads, timers and socket buffers
 * still hold; its connection is then closed (docs/operations.md#a-frozen-leader).
 *
 * <p>Implemented by {@code ops.FeedLeadership}. {@link #NONE} (always true) is for a client without leader election.
 */
@FunctionalInterface
public interface FeedFence {

    FeedFence NONE = () -> true;

    /** Cheap (a volatile read and {@link System#nanoTime()}): called per frame and per batch. */
    boolean mayAct();
}
