package io.tokendiscovery.ingest;

import io.tokendiscovery.cache.TokenUpdate;
import java.util.ArrayList;
import java.util.List;

/**
 * The token changes of one batch of frames, in receive order, each with the frame it came from (for the dead-letter
 * record should the batch's Redis write fail for good) and its receive stamps (for the latency timer). Built by
 * {@link IngestBatchCollector} as the frame pipeline finishes each frame; frames that were rejected or carried no
 * change (notices) are not in it.
 */
public final class IngestBatch {

    /** One frame's change. {@code receivedNanos} is null for a replayed frame (no socket time to measure from). */
    public record Change(TokenUpdate update, String rawFrame, Long receiveSeq, Long receivedAt, Long receivedNanos) {}

    private final List<Change> changes = new ArrayList<>();
    private final List<TokenUpdate> updates = new ArrayList<>();

    void add(Change change) {
        changes.add(change);
        updates.add(change.update());
    }

    public List<Change> changes() {
        return changes;
    }

    /** The changes to write, in receive order (the same order as {@link #changes()}). */
    public List<TokenUpdate> getUpdates() {
        return updates;
    }

    @Override
    public String toString() {
        return "IngestBatch[" + changes.size() + " changes]";
    }
}
