package io.tokendiscovery.simulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The published per-mint statistics of the simulated market: written by the market thread, read from any thread;
 * retired mints are forgotten oldest first beyond {@code retainedMintStats}.
 */
final class MintStatsRegistry {

    private final int retained;
    private final ConcurrentHashMap<String, MintStats> stats = new ConcurrentHashMap<>();
    private final ArrayDeque<String> retiredOrder = new ArrayDeque<>();

    MintStatsRegistry(int retained) {
        this.retained = retained;
    }

    /** Publishes the mint's current snapshot. Market thread. */
    void publish(MintState m) {
        stats.put(m.mint, m.snapshot());
    }

    /** The mint will change no more; its statistics may be forgotten. Market thread. */
    void retire(String mint) {
        retiredOrder.add(mint);
        while (stats.size() > retained && !retiredOrder.isEmpty()) {
            stats.remove(retiredOrder.poll());
        }
    }

    MintStats get(String mint) {
        return stats.get(mint);
    }

    Set<String> mints() {
        return Collections.unmodifiableSet(stats.keySet());
    }

    Collection<MintStats> all() {
        return Collections.unmodifiableCollection(stats.values());
    }

    /** Mints currently on their curve (snapshot, unordered). */
    List<String> onCurve() {
        List<String> out = new ArrayList<>();
        for (MintStats s : stats.values()) {
            if (s.onCurve()) {
                out.add(s.mint());
            }
        }
        return out;
    }
}
