package io.tokendiscovery.sync;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.cache.RedisKeys;
import java.time.Clock;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.stereotype.Component;

/**
 * Gauges of what waits for the next sync: dirty tokens, in-flight claims, age of the oldest unsynced change. The
 * values are shared state (Redis), identical on every replica, so the alerts take {@code max by (job)}. They are read
 * from Redis by {@code DependencyProbes} every {@code tokendiscovery.ops.probe-interval}, not at every scrape: a scrape
 * never waits on a hung Redis (the gauges are NaN while Redis is unreachable, and before the first read).
 */
@Component
public class SyncBacklog {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Clock clock;
    private volatile double dirty = Double.NaN;
    private volatile double inFlight = Double.NaN;
    /** Epoch ms of the oldest dirty change; 0: none; NaN: unknown. */
    private volatile double oldestChange = Double.NaN;

    public SyncBacklog(StringRedisTemplate redis, RedisKeys keys, Clock clock, MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        Gauge.builder("tokendiscovery.sync.dirty.tokens", this, b -> b.dirty)
                .description("Tokens changed in Redis and not yet claimed by a sync")
                .register(meters);
        Gauge.builder("tokendiscovery.sync.inflight.tokens", this, b -> b.inFlight)
                .description("Tokens claimed by a running (or dead, until its deadline) sync")
                .register(meters);
        Gauge.builder("tokendiscovery.sync.oldest.change.age", this, SyncBacklog::cachedOldestChangeAgeSeconds)
                .description("Age of the oldest change not yet committed to PostgreSQL")
                .baseUnit("seconds")
                .register(meters);
    }

    /** Reads the backlog from Redis for the gauges (throws when Redis is unreachable). */
    public void refresh() {
        double dirtyNow = dirtyTokens();
        double inFlightNow = inFlightTokens();
        oldestChange = oldestChangeMillis();
        dirty = dirtyNow;
        inFlight = inFlightNow;
    }

    /** Redis unreachable: the gauges say NaN rather than a stale number. */
    public void unavailable() {
        dirty = Double.NaN;
        inFlight = Double.NaN;
        oldestChange = Double.NaN;
    }

    private double cachedOldestChangeAgeSeconds() {
        double oldest = oldestChange;
        return Double.isNaN(oldest) ? Double.NaN : oldest == 0 ? 0 : Math.max(0, (clock.millis() - oldest) / 1000.0);
    }

    private double oldestChangeMillis() {
        Set<TypedTuple<String>> oldest = redis.opsForZSet().rangeWithScores(keys.dirty(), 0, 0);
        if (oldest == null || oldest.isEmpty()) {
            return 0;
        }
        Double score = oldest.iterator().next().getScore();
        return score == null ? 0 : score;
    }

    public double dirtyTokens() {
        Long size = redis.opsForZSet().zCard(keys.dirty());
        return size == null ? 0 : size;
    }

    public double inFlightTokens() {
        Long size = redis.opsForZSet().zCard(keys.inFlight());
        return size == null ? 0 : size;
    }

    public double oldestChangeAgeSeconds() {
        Set<TypedTuple<String>> oldest = redis.opsForZSet().rangeWithScores(keys.dirty(), 0, 0);
        if (oldest == null || oldest.isEmpty()) {
            return 0;
        }
        Double score = oldest.iterator().next().getScore();
        return score == null ? 0 : Math.max(0, (clock.millis() - score) / 1000.0);
    }
}
