package io.tokendiscovery.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
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
import org.springframework.stereotype.Component;

/**
 * The ingest policy's set of mints whose trades are subscribed: every newly created token for its first
 * {@code tokendiscovery.ingest.new-token-trade-window}, plus every mint in {@code token_watch}. It remembers what
 * the server was last told, so changes go out as batched diffs, and a reconnect re-sends the whole set.
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

    public TradeSubscriptions(TokenDiscoveryProperties properties, Clock clock, MeterRegistry meters) {
        this.windowMillis = properties.ingest().newTokenTradeWindow().toMillis();
        this.clock = clock;
        Gauge.builder("tokendiscovery.pumpportal.subscribed.mints", this, TradeSubscriptions::size)
                .description("Mints in the trade subscription set (new-token window plus watched)")
                .register(meters);
    }

    /** A new token's trades are wanted for the configured window from its creation. */
    public synchronized void onNewToken(TokenCreated created) {
        newTokenExpiry.put(created.mint(), created.receivedAtMillis() + windowMillis);
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
