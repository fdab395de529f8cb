package io.tokendiscovery.sync;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.HealthStatuses;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The age of the last successful Redis-to-PostgreSQL sync, shared by all replicas through Redis (only the leader
 * syncs, every replica must know): the {@code syncFreshness} health component (DEGRADED beyond
 * {@code tokendiscovery.ops.max-sync-age}; NOT part of readiness: stale syncs do not stop a replica from serving what
 * Redis holds, docs/operations.md#health) and the gauge {@code tokendiscovery.sync.last.success.age}. Before any sync
 * has ever succeeded the age counts from this process's start. The gauge's last-success time is read from Redis by
 * {@code DependencyProbes} every probe interval (NaN while Redis is unreachable), never at scrape time.
 */
@Component("syncFreshnessHealthIndicator")
public class SyncFreshness extends AbstractHealthIndicator {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final Duration maxAge;
    private final long startedAt;
    /** The shared last-success time as last read (0: never synced); NaN: not read yet or Redis unreachable. */
    private volatile double cachedLastSuccess = Double.NaN;

    public SyncFreshness(StringRedisTemplate redis, RedisKeys keys, Clock clock, TokenDiscoveryProperties properties,
            MeterRegistry meters) {
        super("Sync freshness check failed");
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        this.maxAge = properties.ops().maxSyncAge();
        this.startedAt = clock.millis();
        Gauge.builder("tokendiscovery.sync.last.success.age", this, SyncFreshness::cachedAgeSeconds)
                .description("Seconds since the last successful Redis-to-PostgreSQL sync by any replica")
                .baseUnit("seconds")
                .register(meters);
    }

    /** Called after a sync committed and acknowledged its claims. */
    public void succeeded() {
        long now = clock.millis();
        redis.opsForValue().set(keys.lastSyncSuccess(), Long.toString(now));
        cachedLastSuccess = now;
    }

    /** Reads the shared last-success time for the gauge (throws when Redis is unreachable). */
    public void refresh() {
        cachedLastSuccess = lastSuccessMillis();
    }

    /** Redis unreachable: the gauge says NaN. */
    public void unavailable() {
        cachedLastSuccess = Double.NaN;
    }

    private double cachedAgeSeconds() {
        double last = cachedLastSuccess;
        if (Double.isNaN(last)) {
            return Double.NaN;
        }
        return Math.max(0, clock.millis() - (last == 0 ? startedAt : (long) last)) / 1000.0;
    }

    long lastSuccessMillis() {
        String value = redis.opsForValue().get(keys.lastSyncSuccess());
        return value == null ? 0 : Long.parseLong(value);
    }

    long ageMillis() {
        long last = lastSuccessMillis();
        return Math.max(0, clock.millis() - (last == 0 ? startedAt : last));
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        long last = lastSuccessMillis();
        Duration age = Duration.ofMillis(ageMillis());
        (age.compareTo(maxAge) > 0 ? builder.status(HealthStatuses.DEGRADED) : builder.up())
                .withDetail("lastSuccess", last == 0 ? "never" : Instant.ofEpochMilli(last).toString())
                .withDetail("age", age.toString())
                .withDetail("maxAge", maxAge.toString());
    }
}
