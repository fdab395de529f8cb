package io.tokendiscovery.ops;

import io.tokendiscovery.HealthStatuses;
import io.tokendiscovery.ops.DependencyProbes.Check;
import io.tokendiscovery.ops.DependencyProbes.Dependency;
import java.time.Instant;
import java.util.Optional;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * The {@code db} health component, replacing Spring Boot's (same bean name): the last {@link DependencyProbes} check
 * of PostgreSQL, never a query of its own, so {@code /actuator/health} never waits on a dead database. UP, or
 * DEGRADED ({@link HealthStatuses}) while PostgreSQL is unreachable: the replica still serves everything Redis holds, so this is
 * deliberately NOT part of readiness (docs/operations.md#health).
 */
@Component("dbHealthIndicator")
public class DatabaseHealthIndicator extends AbstractHealthIndicator {

    private final DependencyProbes probes;

    public DatabaseHealthIndicator(DependencyProbes probes) {
        super("Database health check failed");
        this.probes = probes;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("database", "PostgreSQL");
        Optional<Check> last = probes.last(Dependency.POSTGRES);
        if (last.isEmpty()) {
            builder.unknown().withDetail("check", "not checked yet");
            return;
        }
        Check check = last.get();
        (check.up() ? builder.up() : builder.status(HealthStatuses.DEGRADED)
                .withDetail("impact", "syncs fail (changes wait in Redis), cold token pages answer 503")
                .withDetail("error", check.error()))
                .withDetail("since", Instant.ofEpochMilli(check.sinceMillis()).toString())
                .withDetail("checkedAt", Instant.ofEpochMilli(check.checkedAtMillis()).toString());
    }
}
