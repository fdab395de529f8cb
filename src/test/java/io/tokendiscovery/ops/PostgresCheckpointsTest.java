package io.tokendiscovery.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/** The checkpoint monitor against a real PostgreSQL: a forced checkpoint counts as requested, WAL and commits grow. */
@ExtendWith(OutputCaptureExtension.class)
class PostgresCheckpointsTest {

    @Test
    void requestedCheckpointsWalAndCommitsAreMeasured(CapturedOutput output) throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            JdbcTemplate jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            PostgresCheckpoints monitor = new PostgresCheckpoints(jdbc, meters);
            PostgresCheckpoints.Sample before = monitor.poll();

            jdbc.execute("CREATE TABLE churn (id int PRIMARY KEY, v text)");
            for (int i = 0; i < 200; i++) {
                jdbc.update("INSERT INTO churn VALUES (?, repeat('x', 500))", i);
            }
            jdbc.execute("CHECKPOINT");
            PostgresCheckpoints.Sample after = monitor.poll();

            assertThat(after.requested()).isGreaterThan(before.requested());
            assertThat(after.walBytes()).isGreaterThan(before.walBytes() + 100_000);
            assertThat(after.commits()).isGreaterThanOrEqualTo(before.commits() + 200);
            assertThat(meters.get("tokendiscovery.postgres.checkpoints").tag("kind", "requested").functionCounter().count())
                    .isEqualTo(after.requested());
            assertThat(meters.get("tokendiscovery.postgres.wal").functionCounter().count()).isEqualTo(after.walBytes());
            assertThat(output.getOut()).contains("PostgreSQL ran 1 requested checkpoint(s) since the last poll");
        }
    }
}
