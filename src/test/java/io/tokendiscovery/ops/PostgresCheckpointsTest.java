package io.tokendiscovery.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.MutableClock;
import io.tokendiscovery.SqlStatements;
import io.tokendiscovery.TestProperties;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The checkpoint monitor against a real PostgreSQL: a forced checkpoint counts as requested, WAL and commits grow, and
 * the server's history before the first poll is never counted (before the fix the first poll published the server's
 * lifetime totals, so {@code increase()} saw a burst on every start and every change of leader).
 */
@ExtendWith(OutputCaptureExtension.class)
class PostgresCheckpointsTest {

    private static final SqlStatements SQL = new SqlStatements(TestProperties.defaults());

    @Test
    void requestedCheckpointsWalAndCommitsAreMeasured(CapturedOutput output) throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            JdbcTemplate jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            // history: checkpoints and commits before the monitor's first poll
            jdbc.execute("CHECKPOINT");
            jdbc.execute("CHECKPOINT");
            // PostgreSQL's statistics reach pg_stat_bgwriter asynchronously (up to seconds on a loaded machine)
            awaitRequestedCheckpoints(jdbc, 2);
            PostgresCheckpoints monitor = new PostgresCheckpoints(jdbc, SQL, meters, Clock.systemUTC(),
                    TestProperties.defaults());
            PostgresCheckpoints.Sample before = monitor.poll();
            assertThat(before.requested()).as("the server's lifetime requested checkpoints").isGreaterThanOrEqualTo(2);
            assertThat(requested(meters)).as("nothing counted at the baseline poll").isZero();
            assertThat(meters.get("tokendiscovery.postgres.commits").counter().count()).isZero();
            assertThat(meters.get("tokendiscovery.postgres.wal").counter().count()).isZero();

            jdbc.execute("CREATE TABLE churn (id int PRIMARY KEY, v text)");
            for (int i = 0; i < 200; i++) {
                jdbc.update("INSERT INTO churn VALUES (?, repeat('x', 500))", i);
            }
            jdbc.execute("CHECKPOINT");
            awaitRequestedCheckpoints(jdbc, (long) before.requested() + 1);
            PostgresCheckpoints.Sample after = monitor.poll();

            assertThat(after.requested()).isGreaterThan(before.requested());
            assertThat(after.walBytes()).isGreaterThan(before.walBytes() + 100_000);
            assertThat(after.commits()).isGreaterThanOrEqualTo(before.commits() + 200);
            assertThat(requested(meters)).isEqualTo(after.requested() - before.requested()).isEqualTo(1);
            assertThat(meters.get("tokendiscovery.postgres.wal").counter().count())
                    .isEqualTo(after.walBytes() - before.walBytes());
            assertThat(output.getOut()).contains("PostgreSQL ran 1 requested checkpoint(s) since the last poll");
        }
    }

    @Test
    void aLateSampleIsANewBaselineNotABurst() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            JdbcTemplate jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
            PostgresCheckpoints monitor = new PostgresCheckpoints(jdbc, SQL, meters, clock, TestProperties.defaults());
            PostgresCheckpoints observer = new PostgresCheckpoints(jdbc, SQL, new SimpleMeterRegistry(), clock,
                    TestProperties.defaults());
            double requestedBefore = monitor.poll().requested();
            // another replica led (and counted) for an hour; this one polls again when it leads again
            jdbc.execute("CREATE TABLE churn (id int PRIMARY KEY)");
            jdbc.execute("CHECKPOINT");
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.poll().requested() > requestedBefore);
            clock.advance(Duration.ofHours(1));
            monitor.poll();
            assertThat(requested(meters)).isZero();
            jdbc.execute("INSERT INTO churn VALUES (1)");
            jdbc.execute("CHECKPOINT");
            clock.advance(Duration.ofSeconds(30));
            // the checkpointer publishes its statistics shortly after CHECKPOINT returns
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                monitor.poll();
                return requested(meters) > 0;
            });
            assertThat(requested(meters)).isEqualTo(1);
        }
    }

    private static double requested(SimpleMeterRegistry meters) {
        return meters.get("tokendiscovery.postgres.checkpoints").tag("kind", "requested").counter().count();
    }

    private static void awaitRequestedCheckpoints(JdbcTemplate jdbc, long atLeast) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Map<String, Object> row = jdbc.queryForMap(SQL.sql("select-checkpoints-before-17.sql"));
            return ((Number) row.get("requested")).longValue() >= atLeast;
        });
    }
}
