package io.tokendiscovery.sync;

import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.RedisKeys;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Atomic claims on dirty tokens (Lua scripts in {@code redis/}): claim before reading, acknowledge after commit,
 * release on failure. A claim not acknowledged by its deadline (the process died) goes back to the dirty set at the
 * next claim, so a crash at any point loses nothing.
 */
@Component("syncClaims")
public class SyncClaims {

    private static final Logger log = LoggerFactory.getLogger(SyncClaims.class);
    public static final String CLAIM_PROPERTY = "claim";

    @SuppressWarnings("rawtypes")
    private final RedisScript<List> claimScript =
            RedisScript.of(new ClassPathResource("redis/claim-dirty-tokens.lua"), List.class);
    private final RedisScript<Long> acknowledgeScript =
            RedisScript.of(new ClassPathResource("redis/acknowledge-claims.lua"), Long.class);
    private final RedisScript<Long> releaseScript =
            RedisScript.of(new ClassPathResource("redis/release-claims.lua"), Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final TokenDiscoveryProperties.Sync sync;
    private final TokenDiscoveryProperties.Redis ttl;

    public SyncClaims(StringRedisTemplate redis, RedisKeys keys, Clock clock, TokenDiscoveryProperties properties) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        this.sync = properties.sync();
        this.ttl = properties.redis();
    }

    /** Claims up to {@code max-batch-size} dirty tokens, oldest change first. */
    public SyncClaim claim() {
        long began = System.nanoTime();
        long now = clock.millis();
        String owner = "sync-" + UUID.randomUUID();
        List<?> result = redis.execute(claimScript, List.of(keys.dirty(), keys.inFlight(), keys.inFlightOwners()),
                Long.toString(now), Long.toString(now + sync.claimTimeout().toMillis()), owner,
                Integer.toString(sync.maxBatchSize()));
        int recovered = result == null || result.isEmpty() ? 0 : ((Number) result.get(0)).intValue();
        List<String> mints = new ArrayList<>();
        if (result != null) {
            for (int i = 1; i < result.size(); i++) {
                mints.add(String.valueOf(result.get(i)));
            }
        }
        if (recovered > 0) {
            log.warn("Recovered {} tokens from sync claims whose owner did not finish within {}", recovered,
                    sync.claimTimeout());
        }
        SyncClaim claim = new SyncClaim(owner, now, mints, recovered);
        claim.tookPhase("claim", System.nanoTime() - began);
        return claim;
    }

    /**
     * After commit: ends the claims and starts the TTLs of tokens unchanged since the claim, keeping their retained
     * state ({@link RedisKeys#retained}) for the longer retention.
     */
    public long acknowledge(@ExchangeProperty(CLAIM_PROPERTY) SyncClaim claim) {
        if (claim == null || claim.getMints().isEmpty()) {
            return 0;
        }
        long began = System.nanoTime();
        Set<String> deferred = claim.getDeferred();
        if (!deferred.isEmpty()) {
            long requeued = release(claim.getOwner(), List.copyOf(deferred), Long.toString(clock.millis()));
            log.warn("{} tokens could be neither written nor dead-lettered; {} went back to the end of the dirty queue",
                    deferred.size(), requeued);
        }
        List<String> scriptKeys = new ArrayList<>(4 + 4 * claim.getSize());
        scriptKeys.add(keys.dirty());
        scriptKeys.add(keys.inFlight());
        scriptKeys.add(keys.inFlightOwners());
        scriptKeys.add(keys.watched());
        List<String> args = new ArrayList<>(4 + claim.getSize());
        args.add(claim.getOwner());
        args.add(Long.toString(ttl.tokenTtl().toSeconds()));
        args.add(Long.toString(ttl.priceTickTtl().toSeconds()));
        args.add(Long.toString(ttl.retainedStateTtl().toSeconds()));
        for (String mint : claim.getMints()) {
            if (deferred.contains(mint)) {
                continue;
            }
            scriptKeys.add(keys.token(mint));
            scriptKeys.add(keys.priceTick(mint));
            scriptKeys.add(keys.trades(mint));
            scriptKeys.add(keys.retained(mint));
            args.add(mint);
        }
        Long expiring = redis.execute(acknowledgeScript, scriptKeys, args.toArray());
        claim.tookPhase("acknowledge", System.nanoTime() - began);
        return expiring == null ? 0 : expiring;
    }

    /**
     * On failure: returns the claimed tokens to the dirty set for the next run. With Redis unreachable (the failure
     * may be exactly that) the claim cannot be given back: it stays in flight and the first claim after its deadline
     * ({@code tokendiscovery.sync.claim-timeout}) returns it to the dirty set. That is logged, and the failed run is
     * still recorded (this step must not fail the error handling: docs/operations.md#redis-outage).
     */
    public long release(@ExchangeProperty(CLAIM_PROPERTY) SyncClaim claim) {
        if (claim == null || claim.getMints().isEmpty()) {
            return 0;
        }
        try {
            return release(claim.getOwner(), claim.getMints(), "");
        } catch (org.springframework.dao.DataAccessException e) {
            if (!io.tokendiscovery.cache.RedisOutage.isUnavailable(e)) {
                throw e;
            }
            log.warn("Could not give {} claimed tokens back to the dirty set, Redis is unreachable ({}): they go back "
                    + "when the claim's deadline passes (tokendiscovery.sync.claim-timeout)", claim.getMints().size(),
                    e.getMessage());
            return 0;
        }
    }

    /** @param requeueAt dirty time (ms) to give the tokens, or "" for their original one */
    private long release(String owner, List<String> mints, String requeueAt) {
        List<String> args = new ArrayList<>(2 + mints.size());
        args.add(owner);
        args.add(requeueAt);
        args.addAll(mints);
        Long released = redis.execute(releaseScript, List.of(keys.dirty(), keys.inFlight(), keys.inFlightOwners()),
                args.toArray());
        return released == null ? 0 : released;
    }
}
