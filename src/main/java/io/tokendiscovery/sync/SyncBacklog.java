package io.tokendiscovery.sync;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.cache.RedisKeys;
import java.time.Clock;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.stereotype.Component;

/** Gauges of what waits for the next sync: dirty tokens, in-flight claims, age of the oldest unsynced change. */
@Component
public class SyncBacklog {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Clock clock;

    public SyncBacklog(StringRedisTemplate redis, RedisKeys keys, Clock clock, MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        Gauge.builder("tokendiscovery.sync.dirty.tokens", this, SyncBacklog::dirtyTokens)
                .description("Tokens changed in Redis and not yet claimed by a sync")
                .register(meters);
        Gauge.builder("tokendiscovery.sync.inflight.tokens", this, SyncBacklog::inFlightTokens)
                .description("Tokens claimed by a running (or dead, until its deadline) sync")
                .register(meters);
        Gauge.builder("tokendiscovery.sync.oldest.change.age", this, SyncBacklog::oldestChangeAgeSeconds)
                .description("Age of the oldest change not yet committed to PostgreSQL")
                .baseUnit("seconds")
                .register(meters);
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
