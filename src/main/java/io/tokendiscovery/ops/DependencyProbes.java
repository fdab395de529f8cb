package io.tokendiscovery.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.SqlStatements;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.sync.SyncBacklog;
import io.tokendiscovery.sync.SyncFreshness;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Cheap, bounded checks of the two stores, on every replica, every {@code tokendiscovery.ops.probe-interval} (10 s),
 * each on its own thread: Redis {@code PING} (bounded by the Redis command timeout) and PostgreSQL {@code SELECT 1}
 * (bounded by the pool wait, {@code tokendiscovery.database.connection-timeout}, and a 5 s query timeout).
 *
 * <p>What they feed, so that nothing an operator or a probe reads ever waits on a dead store:
 * <ul>
 *   <li>the gauge {@code tokendiscovery_dependency_up{dependency="redis|postgres"}} (1 or 0), registered only after
 *       the first check, so a starting replica never reports a guess; the alerts {@code TokenDiscoveryDatabaseDown} and
 *       {@code TokenDiscoveryRedisDown} use it, so an outage is visible in about a minute instead of after failed syncs;
 *   <li>the {@code db} health component (UP, or DEGRADED while PostgreSQL is unreachable: not part of readiness);
 *   <li>the answer of a cold token page while PostgreSQL is down: 503 at once instead of a 5 s pool wait;
 *   <li>the Redis-backed gauges (sync backlog and sync age), refreshed here instead of at every scrape, so a scrape
 *       of {@code /actuator/prometheus} stays fast while Redis hangs (NaN then).
 * </ul>
 */
@Component("dependencyProbes")
public class DependencyProbes implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DependencyProbes.class);

    public enum Dependency {
        REDIS("redis", "Redis"), POSTGRES("postgres", "PostgreSQL");

        final String tag;
        final String label;

        Dependency(String tag, String label) {
            this.tag = tag;
            this.label = label;
        }
    }

    /** One check: its verdict, when it was made, since when the verdict holds, and the error if down. */
    public record Check(boolean up, long checkedAtMillis, long sinceMillis, String error) {}

    private final StringRedisTemplate redis;
    private final JdbcTemplate jdbc;
    private final SqlStatements sql;
    private final SyncBacklog backlog;
    private final SyncFreshness freshness;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Duration interval;
    private final Map<Dependency, Check> checks = new EnumMap<>(Dependency.class);
    private volatile ScheduledExecutorService scheduler;

    public DependencyProbes(StringRedisTemplate redis, DataSource dataSource, SyncBacklog backlog,
            SyncFreshness freshness, MeterRegistry meters, Clock clock, TokenDiscoveryProperties properties,
            SqlStatements sql) {
        this.sql = sql;
        this.redis = redis;
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setQueryTimeout(5);
        this.backlog = backlog;
        this.freshness = freshness;
        this.meters = meters;
        this.clock = clock;
        this.interval = properties.ops().probeInterval();
    }

    /** The last check of {@code dependency}; empty before the first one finished. */
    public Optional<Check> last(Dependency dependency) {
        synchronized (checks) {
            return Optional.ofNullable(checks.get(dependency));
        }
    }

    /** False only when the last check failed: before the first check a caller just tries. */
    public boolean mayBeUp(Dependency dependency) {
        return last(dependency).map(Check::up).orElse(true);
    }

    void probeRedis() {
        try {
            redis.execute((RedisCallback<String>) RedisConnection::ping);
            record(Dependency.REDIS, null);
        } catch (RuntimeException e) {
            record(Dependency.REDIS, e);
        }
        try {
            if (mayBeUp(Dependency.REDIS)) {
                backlog.refresh();
                freshness.refresh();
                return;
            }
        } catch (RuntimeException e) {
            log.debug("Refreshing the Redis-backed gauges failed", e);
        }
        backlog.unavailable();
        freshness.unavailable();
    }

    void probePostgres() {
        try {
            jdbc.queryForObject(sql.sql("select-one.sql"), Integer.class);
            record(Dependency.POSTGRES, null);
        } catch (RuntimeException e) {
            record(Dependency.POSTGRES, e);
        }
    }

    private void record(Dependency dependency, RuntimeException failure) {
        long now = clock.millis();
        boolean up = failure == null;
        Check previous;
        Check next;
        synchronized (checks) {
            previous = checks.get(dependency);
            long since = previous != null && previous.up() == up ? previous.sinceMillis() : now;
            next = new Check(up, now, since, up ? null : describe(failure));
            checks.put(dependency, next);
        }
        if (previous == null) {
            Gauge.builder("tokendiscovery.dependency.up", this, p -> p.last(dependency).map(c -> c.up() ? 1.0 : 0.0)
                            .orElse(Double.NaN))
                    .description("1 when this replica's last check of the dependency (Redis PING, PostgreSQL SELECT 1, "
                            + "every tokendiscovery.ops.probe-interval) succeeded, 0 when it failed")
                    .tag("dependency", dependency.tag)
                    .register(meters);
        }
        if (!up && (previous == null || previous.up())) {
            log.warn("{} is unreachable from this replica: {}", dependency.label, next.error());
        } else if (up && previous != null && !previous.up()) {
            log.info("{} is reachable again after {} s", dependency.label, (now - previous.sinceMillis()) / 1000);
        }
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return failure.getClass().getSimpleName() + (root != failure ? " (" + root.getClass().getSimpleName() + ")" : "")
                + ": " + String.valueOf(root.getMessage());
    }

    @Override
    public void start() {
        ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "dependency-probe");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        executor.scheduleWithFixedDelay(this::probeRedis, 0, millis, TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(this::probePostgres, 0, millis, TimeUnit.MILLISECONDS);
        scheduler = executor;
    }

    @Override
    public void stop() {
        ScheduledExecutorService executor = scheduler;
        scheduler = null;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }
}
