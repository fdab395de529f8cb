package io.tokendiscovery.cache;

import io.tokendiscovery.TokenDiscoveryProperties;
import org.springframework.stereotype.Component;

/**
 * Every Redis key the application writes, under one prefix ({@code tokendiscovery.redis.key-prefix}, default
 * {@code td:}). The layout is documented in docs/data-model.md.
 */
@Component
public class RedisKeys {

    private final String prefix;

    public RedisKeys(TokenDiscoveryProperties properties) {
        this.prefix = properties.redis().keyPrefix();
    }

    public String prefix() {
        return prefix;
    }

    /** Hash of a token's latest values and running stats. */
    public String token(String mint) {
        return prefix + "token:" + mint;
    }

    /**
     * JSON string of what a token keeps after its cached hash expired: the epoch, running totals, first-seen time, metadata
     * and state ({@code tokendiscovery.redis.retained-state-ttl}), so a token that comes back rebuilds its hash from
     * them instead of from zero.
     */
    public String retained(String mint) {
        return prefix + "retained:" + mint;
    }

    /** The latest price tick, JSON (the original plan's {@code prices:{mint}}). */
    public String priceTick(String mint) {
        return prefix + "prices:" + mint;
    }

    /** Sorted set of tokens changed since their last commit; score = time of the oldest uncommitted change (ms). */
    public String dirty() {
        return prefix + "sync:dirty";
    }

    /** Sorted set of tokens claimed by a running sync; score = claim deadline (ms). */
    public String inFlight() {
        return prefix + "sync:inflight";
    }

    /** Hash mint -> owner of the claim (sync run id). */
    public String inFlightOwners() {
        return prefix + "sync:inflight:owner";
    }

    /** Sorted set of tokens by hot score (log2 of the time-shifted decayed sum, see docs/read-side.md). */
    public String hotFeed() {
        return prefix + "feed:hot";
    }

    /** Sorted set of tokens by first-seen time (ms). */
    public String newFeed() {
        return prefix + "feed:new";
    }

    /** Sorted set of tokens on their bonding curve by progress (percent). */
    public String graduatingFeed() {
        return prefix + "feed:graduating";
    }

    /** Capped list of a token's recent trades, newest first (JSON). */
    public String trades(String mint) {
        return prefix + "trades:" + mint;
    }

    /** Set of watched mints (from token_watch): their Redis data never expires. */
    public String watched() {
        return prefix + "watched";
    }

    /**
     * Sorted set of new tokens inside their new-token trade window; score = end of the window (ms). Shared state of
     * the trade subscriptions: a replica taking the feed subscribes to these (plus {@link #watched()}).
     */
    public String newTokenWindows() {
        return prefix + "subs:new-token-window";
    }

    /** Read-through cache of a token page loaded from PostgreSQL (JSON). */
    public String tokenPageCache(String mint) {
        return prefix + "cache:token:" + mint;
    }

    /** Short-lived marker of a seen trade signature. */
    public String signature(String signature) {
        return prefix + "sig:" + signature;
    }

    /**
     * The dedup marker of a change ({@code sig:{signature}:{mint}}): present while the change counts as applied.
     *
     * @return null when the change has no signature (no dedup)
     */
    public String dedup(TokenUpdate update) {
        return update.signature() == null ? null : signature(update.signature() + ":" + update.mint());
    }

    /** The last good SOL/USD rate, JSON {@code {rate, source, at}}. */
    public String solUsdRate() {
        return prefix + "pricing:sol-usd";
    }

    /** Epoch millis of the last successful Redis-to-PostgreSQL sync, by any replica. */
    public String lastSyncSuccess() {
        return prefix + "sync:last-success";
    }

    /** Capped list of rejected frames, newest first. */
    public String deadLetters() {
        return prefix + "deadletter:frames";
    }

    /**
     * Hash {@code mode, by, at, via}: the write mode an ADMIN set for every replica (docs/operations.md#rollback-to-write-through).
     * Absent until the switch is used (or after "back to the file default"): then the file value applies.
     */
    public String writeMode() {
        return prefix + "ops:write-mode";
    }

    /** Capped list of write-mode switches, newest first (JSON {@code mode, by, at, via}): the audit trail. */
    public String writeModeAudit() {
        return prefix + "ops:write-mode:audit";
    }
}
