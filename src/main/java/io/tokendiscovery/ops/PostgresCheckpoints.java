package io.tokendiscovery.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The database-side signals of the incident, polled by {@code routes/postgres-monitor.camel.yaml}: checkpoints
 * requested (forced by WAL volume) versus timed, checkpoint write and sync time, WAL bytes, commits. A checkpoint
 * "taking 270 s" alone is normal (PostgreSQL spreads a timed checkpoint over checkpoint_completion_target 0.9 x
 * checkpoint_timeout 5 min); requested checkpoints outnumbering timed ones, and the WAL rate, are the storm.
 * Reads {@code pg_stat_checkpointer} on PostgreSQL 17+ and {@code pg_stat_bgwriter} before.
 */
@Component("postgresCheckpoints")
public class PostgresCheckpoints {

    private static final Logger log = LoggerFactory.getLogger(PostgresCheckpoints.class);

    static final String SINCE_17 = """
            SELECT num_timed AS timed, num_requested AS requested, write_time, sync_time
            FROM pg_stat_checkpointer""";
    static final String BEFORE_17 = """
            SELECT checkpoints_timed AS timed, checkpoints_req AS requested,
                   checkpoint_write_time AS write_time, checkpoint_sync_time AS sync_time
            FROM pg_stat_bgwriter""";
    static final String WAL_AND_COMMITS = """
            SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS wal_bytes,
                   (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits""";

    private final JdbcTemplate jdbc;
    private final AtomicReference<Sample> last = new AtomicReference<>();
    private Integer serverVersion;

    public PostgresCheckpoints(JdbcTemplate jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        counter("tokendiscovery.postgres.checkpoints", "Checkpoints by kind: timed (checkpoint_timeout) or "
                + "requested (forced by WAL volume)", null, Sample::timed).tag("kind", "timed").register(meters);
        counter("tokendiscovery.postgres.checkpoints", "Checkpoints by kind: timed (checkpoint_timeout) or "
                + "requested (forced by WAL volume)", null, Sample::requested).tag("kind", "requested").register(meters);
        counter("tokendiscovery.postgres.checkpoint.write.time", "Time checkpoints spent writing buffers",
                "seconds", s -> s.writeMs() / 1000).register(meters);
        counter("tokendiscovery.postgres.checkpoint.sync.time", "Time checkpoints spent syncing files",
                "seconds", s -> s.syncMs() / 1000).register(meters);
        counter("tokendiscovery.postgres.wal", "WAL written (the current WAL LSN)", "bytes", Sample::walBytes)
                .register(meters);
        counter("tokendiscovery.postgres.commits", "Transactions committed in this database", null,
                Sample::commits).register(meters);
    }

    /** One poll: reads the statistics, publishes them, and warns when checkpoints were forced since the last poll. */
    public Sample poll() {
        Map<String, Object> checkpoints = jdbc.queryForMap(serverVersion() >= 170000 ? SINCE_17 : BEFORE_17);
        Map<String, Object> wal = jdbc.queryForMap(WAL_AND_COMMITS);
        Sample sample = new Sample(number(checkpoints.get("timed")), number(checkpoints.get("requested")),
                number(checkpoints.get("write_time")), number(checkpoints.get("sync_time")),
                number(wal.get("wal_bytes")), number(wal.get("commits")));
        Sample previous = last.getAndSet(sample);
        if (previous != null && sample.requested > previous.requested) {
            log.warn("PostgreSQL ran {} requested checkpoint(s) since the last poll (WAL +{} bytes, {} commits): "
                    + "forced by WAL volume (max_wal_size) or an explicit CHECKPOINT; timed checkpoints are normal, "
                    + "WAL-forced ones are the storm the write-behind exists to prevent", (long) (sample.requested - previous.requested),
                    (long) (sample.walBytes - previous.walBytes), (long) (sample.commits - previous.commits));
        }
        return sample;
    }

    private int serverVersion() {
        if (serverVersion == null) {
            serverVersion = Integer.valueOf(jdbc.queryForObject("SHOW server_version_num", String.class));
        }
        return serverVersion;
    }

    private FunctionCounter.Builder<AtomicReference<Sample>> counter(String name, String description, String unit,
            ToDoubleFunction<Sample> read) {
        return FunctionCounter.builder(name, last, ref -> {
                    Sample sample = ref.get();
                    return sample == null ? 0 : read.applyAsDouble(sample);
                })
                .description(description)
                .baseUnit(unit);
    }

    private static double number(Object value) {
        return value == null ? 0 : ((Number) value).doubleValue();
    }

    /** Cumulative statistics at one poll (milliseconds for times). */
    public record Sample(double timed, double requested, double writeMs, double syncMs, double walBytes, double commits) {}
}
