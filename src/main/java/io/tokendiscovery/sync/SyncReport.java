package io.tokendiscovery.sync;

import java.util.LinkedHashMap;
import java.util.Map;

/** Counts of one sync run, as logged, stored in {@code sync_run} and published as metrics. */
public final class SyncReport {

    private final String owner;
    private final long startedAtMillis;
    private final int total;
    private final int inserted;
    private final int updated;
    private final int skipped;
    private final int deadLettered;
    private final long durationMs;

    public SyncReport(String owner, long startedAtMillis, int total, int inserted, int updated, int skipped,
            int deadLettered, long durationMs) {
        this.owner = owner;
        this.startedAtMillis = startedAtMillis;
        this.total = total;
        this.inserted = inserted;
        this.updated = updated;
        this.skipped = skipped;
        this.deadLettered = deadLettered;
        this.durationMs = durationMs;
    }

    public String getOwner() {
        return owner;
    }

    public long getStartedAtMillis() {
        return startedAtMillis;
    }

    public int getTotal() {
        return total;
    }

    public int getInserted() {
        return inserted;
    }

    public int getUpdated() {
        return updated;
    }

    public int getSkipped() {
        return skipped;
    }

    public int getDeadLettered() {
        return deadLettered;
    }

    public long getDurationMs() {
        return durationMs;
    }

    /** Named parameters of {@code routes/sql/insert-sync-run.sql}. */
    public Map<String, Object> getSyncRunParameters() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("owner", owner);
        params.put("startedAtMs", startedAtMillis);
        params.put("total", total);
        params.put("inserted", inserted);
        params.put("updated", updated);
        params.put("skipped", skipped);
        params.put("deadLettered", deadLettered);
        params.put("durationMs", durationMs);
        return params;
    }
}
