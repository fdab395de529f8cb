package io.tokendiscovery.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.tokendiscovery.SqlStatements;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The database-side signals of the incident, polled by {@code routes/postgres-monitor.camel.yaml}: checkpoints
 * requested (forced by WAL volume) versus timed, checkpoint write and sync time, WAL bytes, commits. A checkpoint
 * "taking 270 s" alone is normal (PostgreSQL spreads a timed checkpoint over checkpoint_completion_target 0.9 x
 * checkpoint_timeout 5 min); requested checkpoints outnumbering timed ones, and the WAL rate, are the storm.
 * Reads {@code pg_stat_checkpointer} on PostgreSQL 17+ and {@code pg_stat_bgwriter} before.
 *
 * <p>The counters never jump. PostgreSQL's statistics are cumulative over the server's life, so mirroring them made
 * {@code increase()} count the whole history of the server at this process's first poll, and again on every change of
 * the polling replica (only the feed leader polls). Instead each counter adds only what changed <em>between two polls
 * of this process</em>: the first poll is the baseline (adds 0), a value that went down (statistics reset, another
 * server) is a new baseline, and so is a sample older than three poll intervals (this replica lost the feed
 * leadership meanwhile and another one counted those changes, or the database was unreachable). Each change is therefore counted by exactly one replica, so
 * {@code sum by (job) (increase(...))} over the replicas is the deployment's total; what happens between the old
 * leader's last poll and the new leader's first is not counted (docs/operations.md).
 */
@Component("postgresCheckpoints")
public class PostgresCheckpoints {

    private static final Logger log = LoggerFactory.getLogger(PostgresCheckpoints.class);

    private final JdbcTemplate jdbc;
    private final SqlStatements sql;
    private final AtomicReference<Sample> last = new AtomicReference<>();
    private final Clock clock;
    private final long baselineAfterMillis;
    private final Counter timed;
    private final Counter requested;
    private final Counter writeTime;
    private final Counter syncTime;
    private final Counter wal;
    private final Counter commits;
    private Integer serverVersion;

    public PostgresCheckpoints(JdbcTemplate jdbc, SqlStatements sql, MeterRegistry meters, Clock clock,
            TokenDiscoveryProperties properties) {
        this.jdbc = jdbc;
        this.sql = sql;
        this.clock = clock;
        this.baselineAfterMillis = 3 * properties.ops().postgresPollInterval().toMillis();
        String checkpoints = "Checkpoints by kind: timed (checkpoint_timeout) or requested (forced by WAL volume), "
                + "counted from this replica's first poll";
        this.timed = Counter.builder("tokendiscovery.postgres.checkpoints").description(checkpoints)
                .tag("kind", "timed").register(meters);
        this.requested = Counter.builder("tokendiscovery.postgres.checkpoints").description(checkpoints)
                .tag("kind", "requested").register(meters);
        this.writeTime = Counter.builder("tokendiscovery.postgres.checkpoint.write.time")
                .description("Time checkpoints spent writing buffers, from this replica's first poll")
                .baseUnit("seconds").register(meters);
        this.syncTime = Counter.builder("tokendiscovery.postgres.checkpoint.sync.time")
                .description("Time checkpoints spent syncing files, from this replica's first poll")
                .baseUnit("seconds").register(meters);
        this.wal = Counter.builder("tokendiscovery.postgres.wal")
                .description("WAL written (growth of the current WAL LSN), from this replica's first poll")
                .baseUnit("bytes").register(meters);
        this.commits = Counter.builder("tokendiscovery.postgres.commits")
                .description("Transactions committed in this database, from this replica's first poll")
                .register(meters);
    }

    /** One poll: reads the statistics, publishes them, and warns when checkpoints were forced since the last poll. */
    public Sample poll() {
        Map<String, Object> checkpoints = jdbc.queryForMap(sql.sql(serverVersion() >= 170000
                ? "select-checkpoints-since-17.sql" : "select-checkpoints-before-17.sql"));
        Map<String, Object> walAndCommits = jdbc.queryForMap(sql.sql("select-wal-and-commits.sql"));
        Sample sample = new Sample(number(checkpoints.get("timed")), number(checkpoints.get("requested")),
                number(checkpoints.get("write_time")), number(checkpoints.get("sync_time")),
                number(walAndCommits.get("wal_bytes")), number(walAndCommits.get("commits")),
                clock.millis());
        Sample previous = last.getAndSet(sample);
        if (previous == null || sample.atMillis - previous.atMillis > baselineAfterMillis) {
            return sample;    // the baseline: the server's history (or another leader's share) is not news
        }
        add(timed, sample.timed, previous.timed);
        add(requested, sample.requested, previous.requested);
        add(writeTime, sample.writeMs / 1000, previous.writeMs / 1000);
        add(syncTime, sample.syncMs / 1000, previous.syncMs / 1000);
        add(wal, sample.walBytes, previous.walBytes);
        add(commits, sample.commits, previous.commits);
        if (sample.requested > previous.requested) {
            log.warn("PostgreSQL ran {} requested checkpoint(s) since the last poll (WAL +{} bytes, {} commits): "
                    + "forced by WAL volume (max_wal_size) or an explicit CHECKPOINT; timed checkpoints are normal, "
                    + "WAL-forced ones are the storm the write-behind exists to prevent", (long) (sample.requested - previous.requested),
                    (long) (sample.walBytes - previous.walBytes), (long) (sample.commits - previous.commits));
        }
        return sample;
    }

    private int serverVersion() {
        if (serverVersion == null) {
            serverVersion = Integer.valueOf(jdbc.queryForObject(sql.sql("select-server-version.sql"), String.class));
        }
        return serverVersion;
    }

    /** Only growth counts; a value that went down (a statistics reset) is the new baseline. */
    private static void add(Counter counter, double now, double before) {
        if (now > before) {
            counter.increment(now - before);
        }
    }

    private static double number(Object value) {
        return value == null ? 0 : ((Number) value).doubleValue();
    }

    /** Cumulative statistics at one poll (milliseconds for times), and when it was taken. */
    public record Sample(double timed, double requested, double writeMs, double syncMs, double walBytes, double commits,
            long atMillis) {}
}
