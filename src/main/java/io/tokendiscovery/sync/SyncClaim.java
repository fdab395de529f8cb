package io.tokendiscovery.sync;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tokens one sync run claimed, and who claimed them. Getters so routes can read it with simple expressions. The
 * run's steps note how long each took ({@link #tookPhase}), published by {@link SyncReports} as
 * {@code tokendiscovery.sync.phase} so a slow sync shows where its time went.
 */
public final class SyncClaim {

    private final String owner;
    private final long startedAtMillis;
    private final List<String> mints;
    private final int recovered;
    // written and read by the one thread that runs the sync exchange
    private final Map<String, Long> phaseNanos = new LinkedHashMap<>();
    private final Set<String> deferred = new LinkedHashSet<>();
    private int inserted;
    private int updated;
    private int deadLettered;
    private long writeStartedNanos;

    public SyncClaim(String owner, long startedAtMillis, List<String> mints, int recovered) {
        this.owner = owner;
        this.startedAtMillis = startedAtMillis;
        this.mints = List.copyOf(mints);
        this.recovered = recovered;
    }

    public String getOwner() {
        return owner;
    }

    public long getStartedAtMillis() {
        return startedAtMillis;
    }

    public List<String> getMints() {
        return mints;
    }

    public int getSize() {
        return mints.size();
    }

    /** Claims of dead syncs returned to the dirty set by this run. */
    public int getRecovered() {
        return recovered;
    }

    /**
     * PostgreSQL rejected this token's row AND its dead-letter record could not be written: the token was not
     * persisted anywhere, so the acknowledgement sends it back to the END of the dirty queue (not its old place at
     * the head, where it would lead every next batch) instead of starting its TTL.
     */
    public void defer(String mint) {
        deferred.add(mint);
    }

    public Set<String> getDeferred() {
        return Set.copyOf(deferred);
    }

    /** Rows the upsert inserted and updated (its RETURNING), for the run's report. */
    public void wrote(int insertedRows, int updatedRows) {
        inserted += insertedRows;
        updated += updatedRows;
    }

    /** A row PostgreSQL rejected went to sync_dead_letter. */
    public void deadLettered() {
        deadLettered++;
    }

    public int getInserted() {
        return inserted;
    }

    public int getUpdated() {
        return updated;
    }

    public int getDeadLettered() {
        return deadLettered;
    }

    /** The write step (every chunk's transaction, incl. commit) starts now; {@link #writeEnded} ends it. */
    public void writeStarted(long nanos) {
        writeStartedNanos = nanos;
    }

    public void writeEnded(long nanos) {
        tookPhase("write", nanos - writeStartedNanos);
    }

    /** A step of the run took this long: claim, read, write (incl. commit) or acknowledge. */
    public void tookPhase(String phase, long nanos) {
        phaseNanos.put(phase, nanos);
    }

    /** The steps noted so far, in order, in nanoseconds. */
    public Map<String, Long> getPhaseNanos() {
        return new LinkedHashMap<>(phaseNanos);
    }
}
