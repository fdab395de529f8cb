package io.tokendiscovery.sync;

import java.util.List;

/** The tokens one sync run claimed, and who claimed them. Getters so routes can read it with simple expressions. */
public final class SyncClaim {

    private final String owner;
    private final long startedAtMillis;
    private final List<String> mints;
    private final int recovered;

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
}
