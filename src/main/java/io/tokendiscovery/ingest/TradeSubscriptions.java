package io.tokendiscovery.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.NewTokenWindows;
import io.tokendiscovery.ingest.FeedEvent.TokenCreated;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The ingest policy's set of mints whose trades are subscribed: every newly created token for its first
 * {@code tokendiscovery.ingest.new-token-trade-window}, plus every mint in {@code token_watch}. It remembers what
 * the server was last told, so changes go out as batched diffs, and a reconnect re-sends the whole set.
 *
 * <p>The set is not one process's memory: every new token's window is also written to Redis
 * ({@link NewTokenWindows}, the sorted set {@code td:subs:new-token-window}, score = window end) before the
 * subscription job can send it, and a replica that takes the feed (start, restart, failover) first rebuilds the set
 * from that sorted set and the {@code td:watched} set ({@link #restoreIfNeeded()}). When Redis cannot be read then,
 * the rebuild is retried by the subscription job until it succeeds, and its diffs add the restored mints.
 */
@Component("tradeSubscriptions")
public class TradeSubscriptions {

    private static final Logger log = LoggerFactory.getLogger(TradeSubscriptions.class);

    private final long windowMillis;
    private final Clock clock;
    private final Map<String, Long> newTokenExpiry = new HashMap<>();
    private Set<String> watched = Set.of();
    private Set<String> sent = new HashSet<>();
    /** Sent mints -> time of their last trade or (re)subscription, for zombie detection. */
    private final Map<String, Long> lastActivity = new HashMap<>();
    private boolean watchedOnly;
    /** Shared state in Redis; {@code null}: memory only (unit tests of the policy). */
    private final NewTokenWindows shared;
    /** New tokens' windows not yet written to Redis (written by the ingest batch, retried by the window job). */
    private final Map<String, Long> unsaved = new HashMap<>();
    /** Set whenever this process takes the feed (the client starts): the set must be rebuilt from Redis. */
    private volatile boolean restoreNeeded;
    private boolean failing;
    private final Counter restoreFailures;
    private final Counter saveFailures;
    private final Counter pruneFailures;
    private final Counter restoredMints;

    /** Memory only: nothing shared, nothing restored (unit tests of the policy). */
    public TradeSubscriptions(TokenDiscoveryProperties properties, Clock clock, MeterRegistry meters) {
        this(properties, clock, meters, null);
    }

    @Autowired
    public TradeSubscriptions(TokenDiscoveryProperties properties, Clock clock, MeterRegistry meters,
            NewTokenWindows shared) {
        this.windowMillis = properties.ingest().newTokenTradeWindow().toMillis();
        this.clock = clock;
        this.shared = shared;
        Gauge.builder("tokendiscovery.pumpportal.subscribed.mints", this, TradeSubscriptions::size)
                .description("Mints in the trade subscription set (new-token window plus watched)")
                .register(meters);
        Gauge.builder("tokendiscovery.pumpportal.subscriptions.restore.pending", this,
                        s -> s.shared != null && s.restoreNeeded ? 1 : 0)
                .description("1 while the trade subscription set still has to be rebuilt from Redis after taking "
                        + "the feed (retried every subscription-flush-interval)")
                .register(meters);
        this.restoreFailures = failures(meters, "restore");
        this.saveFailures = failures(meters, "save");
        this.pruneFailures = failures(meters, "prune");
        this.restoredMints = Counter.builder("tokendiscovery.pumpportal.subscriptions.restored")
                .description("Mints put back into the trade subscription set from Redis on taking the feed")
                .register(meters);
    }

    private static Counter failures(MeterRegistry meters, String operation) {
        return Counter.builder("tokendiscovery.pumpportal.subscriptions.shared.failures")
                .description("Failed reads and writes of the shared trade subscription state in Redis")
                .tag("operation", operation)
                .register(meters);
    }

    /** A new token's trades are wanted for the configured window from its creation. */
    public synchronized void onNewToken(TokenCreated created) {
        long end = created.receivedAtMillis() + windowMillis;
        newTokenExpiry.merge(created.mint(), end, Math::max);
        if (shared != null && end > clock.millis()) {
            unsaved.merge(created.mint(), end, Math::max);
        }
    }

    /**
     * Writes the windows of the new tokens seen since the last call to Redis, in one command (nothing when there are
     * none). Called by the ingest batch right after its frames are parsed, and by the window job (which retries what
     * failed). Never throws: what could not be written stays queued.
     */
    public void saveNewTokens() {
        if (shared == null) {
            return;
        }
        Map<String, Long> batch;
        synchronized (this) {
            if (unsaved.isEmpty()) {
                return;
            }
            batch = new HashMap<>(unsaved);
            unsaved.clear();
        }
        try {
            shared.add(batch);
            recovered();
        } catch (RuntimeException e) {
            saveFailures.increment();
            synchronized (this) {
                batch.forEach((mint, end) -> unsaved.merge(mint, end, Math::max));
            }
            failed("write " + batch.size() + " new-token windows to", e);
        }
    }

    /**
     * The window job's share: rebuild from Redis if still needed, write the queued windows, and drop the windows that
     * ended from the shared sorted set. Never throws, so the subscription diff that follows always goes out.
     */
    public void syncSharedState() {
        if (shared == null) {
            return;
        }
        restoreIfNeeded();
        saveNewTokens();
        try {
            shared.removeEnded(clock.millis());
        } catch (RuntimeException e) {
            pruneFailures.increment();
            failed("remove ended new-token windows from", e);
        }
    }

    /** This process takes the feed: its set must be rebuilt from Redis before (or soon after) it subscribes. */
    public void requestRestore() {
        restoreNeeded = true;
    }

    public boolean restorePending() {
        return shared != null && restoreNeeded;
    }

    /**
     * Adds to the set every new token still inside its window and every watched mint, as Redis holds them, if this
     * process has not done so since it took the feed. Merged with what this process already knows.
     *
     * @return false if Redis could not be read (the flag stays set; the window job retries)
     */
    public boolean restoreIfNeeded() {
        if (shared == null) {
            restoreNeeded = false;
            return true;
        }
        if (!restoreNeeded) {
            return true;
        }
        long now = clock.millis();
        Map<String, Long> open;
        Set<String> sharedWatched;
        try {
            open = shared.open(now);
            sharedWatched = shared.watched();
        } catch (RuntimeException e) {
            restoreFailures.increment();
            // until it succeeds only the mints this process has seen itself are subscribed
            failed("rebuild the trade subscription set (new tokens in their window, watched mints) from", e);
            return false;
        }
        int added;
        int watchedAdded;
        synchronized (this) {
            int before = newTokenExpiry.size();
            open.forEach((mint, end) -> newTokenExpiry.merge(mint, end, Math::max));
            added = newTokenExpiry.size() - before;
            Set<String> mergedWatched = new HashSet<>(watched);
            for (String mint : sharedWatched) {
                if (Base58.isValid(mint, 32)) {
                    mergedWatched.add(mint);
                }
            }
            watchedAdded = mergedWatched.size() - watched.size();
            watched = Set.copyOf(mergedWatched);
            restoreNeeded = false;
        }
        restoredMints.increment(added + watchedAdded);
        recovered();
        log.info("Trade subscription set rebuilt from Redis: {} new tokens inside their window ({} not known to this "
                + "process), {} watched mints ({} new)", open.size(), added, sharedWatched.size(), watchedAdded);
        return true;
    }

    /** One WARN per streak of failures (the counters count every one), one INFO when Redis answers again. */
    private void failed(String what, RuntimeException e) {
        boolean first;
        synchronized (this) {
            first = !failing;
            failing = true;
        }
        if (first) {
            log.warn("Could not {} Redis ({}); retrying every subscription-flush-interval", what, e.toString());
        }
    }

    private void recovered() {
        boolean was;
        synchronized (this) {
            was = failing;
            failing = false;
        }
        if (was) {
            log.info("Redis answers again: the shared trade subscription state is up to date");
        }
    }

    /** Replaces the watched set with the current content of {@code token_watch}. Invalid mints are ignored. */
    public synchronized void replaceWatched(Collection<String> mints) {
        Set<String> valid = new HashSet<>();
        for (String mint : mints) {
            if (Base58.isValid(mint, 32)) {
                valid.add(mint);
            } else {
                log.warn("Ignoring watched mint {}: not a base58 public key", FrameParser.abbreviate(String.valueOf(mint)));
            }
        }
        watched = Set.copyOf(valid);
    }

    /** Same, from the rows of {@code select-watched-mints.sql} (column {@code mint}). */
    public void replaceWatchedRows(List<Map<String, Object>> rows) {
        List<String> mints = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            mints.add(String.valueOf(row.get("mint")));
        }
        replaceWatched(mints);
    }

    /** Drops new tokens whose window has passed. @return how many left the set */
    public synchronized int expireNewTokens() {
        long now = clock.millis();
        int before = newTokenExpiry.size();
        newTokenExpiry.values().removeIf(expiry -> expiry <= now);
        return before - newTokenExpiry.size();
    }

    public synchronized Set<String> desired() {
        Set<String> all = watchedOnly ? new HashSet<>() : new HashSet<>(newTokenExpiry.keySet());
        all.addAll(watched);
        return all;
    }

    /** A trade arrived: the mint's subscription is alive. */
    public synchronized void onTrade(FeedEvent.TokenTraded trade) {
        if (lastActivity.containsKey(trade.mint())) {
            lastActivity.put(trade.mint(), trade.receivedAtMillis());
        }
    }

    /**
     * While the daily trade budget is spent, only watched mints stay subscribed; new tokens' windows keep running
     * and their subscriptions come back when the restriction is lifted.
     */
    public synchronized void restrictToWatched(boolean restrict) {
        watchedOnly = restrict;
    }

    /**
     * Subscribed mints silent for {@code timeout}: the feed may have dropped them. Their clock restarts, so each is
     * re-subscribed at most once per timeout.
     */
    public synchronized List<String> takeZombies(long timeoutMillis) {
        long now = clock.millis();
        List<String> zombies = new ArrayList<>();
        for (Map.Entry<String, Long> entry : lastActivity.entrySet()) {
            if (now - entry.getValue() >= timeoutMillis) {
                zombies.add(entry.getKey());
                entry.setValue(now);
            }
        }
        return zombies;
    }

    public synchronized int size() {
        return desired().size();
    }

    /** What changed since the server was last told; from now on the server is assumed to have the desired set. */
    public synchronized Diff drainChanges() {
        Set<String> desired = desired();
        List<String> added = new ArrayList<>();
        for (String mint : desired) {
            if (!sent.contains(mint)) {
                added.add(mint);
            }
        }
        List<String> removed = new ArrayList<>();
        for (String mint : sent) {
            if (!desired.contains(mint)) {
                removed.add(mint);
            }
        }
        sent = desired;
        long now = clock.millis();
        added.forEach(mint -> lastActivity.put(mint, now));
        removed.forEach(lastActivity::remove);
        return new Diff(added, removed);
    }

    /** A new connection knows nothing: everything desired must be sent again. */
    public synchronized List<String> allForNewConnection() {
        sent = desired();
        long now = clock.millis();
        lastActivity.clear();
        sent.forEach(mint -> lastActivity.put(mint, now));
        return new ArrayList<>(sent);
    }

    public record Diff(List<String> added, List<String> removed) {
        public boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty();
        }
    }
}
