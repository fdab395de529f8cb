package io.tokendiscovery.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes one sync batch in ONE transaction (or one per {@code tokendiscovery.sync.chunk-size} rows when set): the
 * set-based upsert of {@code routes/sql/upsert-token-batch.sql} and
 * the run's {@code sync_run} row ({@code routes/sql/insert-sync-run.sql}). Both files are re-read when they change,
 * so operators edit the SQL without a restart.
 *
 * <p>A row the database rejects (constraint, overflow, invalid value: SQLSTATE classes 22 and 23) must not block the
 * batch: the upsert runs under a savepoint, and on such an error the batch is bisected under savepoints until the
 * rejected rows are isolated; each goes to {@code sync_dead_letter} with its values and the error, the rest is
 * written. Any other error (the database is down, a timeout) is not a bad row: it propagates, the transaction rolls
 * back and the claims are released for the next run.
 */
@Component("tokenBatchWriter")
public class TokenBatchWriter {

    private static final Logger log = LoggerFactory.getLogger(TokenBatchWriter.class);

    private final DataSource dataSource;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final ObjectMapper json;
    private final SqlFile upsert;
    private final SqlFile insertRun;
    private final SqlFile insertDeadLetter;
    private final Counter deadLetterFailures;
    private final SyncReports reports;
    private final int chunkSize;

    /** sync_owner of rows dead-lettered by the write-through path. */
    static final String WRITE_THROUGH_OWNER = "write-through";

    public TokenBatchWriter(DataSource dataSource, NamedParameterJdbcTemplate jdbc, TransactionTemplate transaction,
            ObjectMapper json, SyncReports reports, TokenDiscoveryProperties properties, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.json = json;
        this.reports = reports;
        this.upsert = new SqlFile(Path.of(properties.sync().sqlDirectory(), "upsert-token-batch.sql"));
        this.insertRun = new SqlFile(Path.of(properties.sync().sqlDirectory(), "insert-sync-run.sql"));
        this.insertDeadLetter = new SqlFile(Path.of(properties.sync().sqlDirectory(), "insert-sync-dead-letter.sql"));
        this.deadLetterFailures = Counter.builder("tokendiscovery.sync.dead.letter.failures")
                .description("Rows PostgreSQL rejected whose sync_dead_letter record could not be written either; "
                        + "the token went back to the end of the dirty queue")
                .register(meters);
        this.chunkSize = properties.sync().chunkSize();
    }

    /**
     * @param batch the column arrays and thresholds from {@link TokenSnapshots#load}
     * @return the run's report (also recorded in {@code sync_run} in the same transaction)
     */
    public SyncReport write(Map<String, Object> batch, @ExchangeProperty(SyncClaims.CLAIM_PROPERTY) SyncClaim claim) {
        long began = System.nanoTime();
        int rows = (Integer) batch.get(TokenSnapshots.ROWS);
        int chunk = chunkSize > 0 ? chunkSize : Math.max(1, rows);
        Outcome outcome = new Outcome();
        // Each chunk commits on its own; a failure in a later chunk leaves earlier ones committed, which is safe:
        // the claims are released and the rewrite of committed rows is a no-op (version guard).
        int lastStart = rows == 0 ? 0 : (rows - 1) / chunk * chunk;
        for (int from = 0; from < lastStart; from += chunk) {
            int start = from;
            transaction.executeWithoutResult(status -> upsertRange(batch, start, start + chunk, claim, outcome));
        }
        SyncReport written = transaction.execute(status -> {
            upsertRange(batch, lastStart, rows, claim, outcome);
            SyncReport report = reports.summarise(claim, outcome.inserted, outcome.updated, outcome.deadLettered);
            jdbc.update(insertRun.sql(), new MapSqlParameterSource(report.getSyncRunParameters()));
            return report;
        });
        claim.tookPhase("write", System.nanoTime() - began);
        return written;
    }

    /**
     * Write-through mode: the one-row batch of {@link TokenSnapshots#loadOne}, one statement in its own transaction.
     * A row the database rejects goes to {@code sync_dead_letter} as in a sync; other errors propagate (the token
     * stays dirty for the next sync).
     */
    public Written writeThrough(Map<String, Object> row) {
        return writeRows(row, WRITE_THROUGH_OWNER);
    }

    /**
     * Upserts a batch outside a sync run (no claim, no sync_run row), in the caller's transaction or its own.
     *
     * @param owner recorded as sync_owner of rows the database rejects
     */
    public Written writeRows(Map<String, Object> batch, String owner) {
        int rows = (Integer) batch.get(TokenSnapshots.ROWS);
        Outcome outcome = new Outcome();
        SyncClaim writer = new SyncClaim(owner, 0, List.of(), 0);
        transaction.executeWithoutResult(status -> upsertRange(batch, 0, rows, writer, outcome));
        return new Written(outcome.inserted, outcome.updated, outcome.deadLettered);
    }

    /** What {@link #writeRows} did. */
    public record Written(int inserted, int updated, int deadLettered) {}

    private void upsertRange(Map<String, Object> batch, int from, int to, SyncClaim claim, Outcome outcome) {
        if (to <= from) {
            return;
        }
        List<Integer> rows = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            rows.add(i);
        }
        upsertIsolating(DataSourceUtils.getConnection(dataSource), batch, rows, claim, outcome);
    }

    private void upsertIsolating(Connection connection, Map<String, Object> batch, List<Integer> rows,
            SyncClaim claim, Outcome outcome) {
        Savepoint savepoint = savepoint(connection);
        try {
            List<Map<String, Object>> returned = jdbc.queryForList(upsert.sql(), parameters(connection, batch, rows));
            release(connection, savepoint);
            for (Map<String, Object> row : returned) {
                if (Boolean.TRUE.equals(row.get("inserted"))) {
                    outcome.inserted++;
                } else {
                    outcome.updated++;
                }
            }
        } catch (DataAccessException e) {
            String sqlState = sqlState(e);
            if (!isRejectedData(sqlState)) {
                throw e;
            }
            rollback(connection, savepoint);
            if (rows.size() == 1) {
                deadLetter(connection, batch, rows.get(0), claim, sqlState, e);
                outcome.deadLettered++;
                return;
            }
            int half = rows.size() / 2;
            upsertIsolating(connection, batch, rows.subList(0, half), claim, outcome);
            upsertIsolating(connection, batch, rows.subList(half, rows.size()), claim, outcome);
        }
    }

    /**
     * SQLSTATE class 22 (data exception), 23 (integrity constraint violation) or 54 (program limit exceeded, e.g. a
     * value too large for an index): the row, not the database.
     */
    static boolean isRejectedData(String sqlState) {
        return sqlState != null
                && (sqlState.startsWith("22") || sqlState.startsWith("23") || sqlState.startsWith("54"));
    }

    private MapSqlParameterSource parameters(Connection connection, Map<String, Object> batch, List<Integer> rows) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        for (Map.Entry<String, Object> entry : batch.entrySet()) {
            if (entry.getValue() instanceof String[] column) {
                String[] selected = new String[rows.size()];
                for (int i = 0; i < selected.length; i++) {
                    selected[i] = column[rows.get(i)];
                }
                try {
                    // a java.sql.Array, so the driver sends one text[] parameter (a plain array would be expanded)
                    params.addValue(entry.getKey(), connection.createArrayOf("text", selected));
                } catch (SQLException e) {
                    throw new IllegalStateException("Cannot create a text[] parameter", e);
                }
            } else {
                params.addValue(entry.getKey(), entry.getValue());
            }
        }
        return params;
    }

    private void deadLetter(Connection connection, Map<String, Object> batch, int row, SyncClaim claim,
            String sqlState, Exception error) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String[] column : TokenSnapshots.COLUMNS) {
            values.put(column[0], jsonbSafe(((String[]) batch.get(column[1]))[row]));
        }
        String mint = String.valueOf(values.get("mint"));
        String message = jsonbSafe(rootMessage(error));
        log.error("PostgreSQL rejected token {} ({}: {}); it goes to sync_dead_letter and the batch continues",
                mint, sqlState, message);
        // Its own savepoint: whatever the dead-letter insert meets, the batch's transaction stays usable.
        Savepoint savepoint = savepoint(connection);
        try {
            jdbc.update(insertDeadLetter.sql(), new MapSqlParameterSource()
                    .addValue("mint", mint)
                    .addValue("owner", claim.getOwner())
                    .addValue("sqlState", sqlState)
                    .addValue("error", message)
                    .addValue("payload", json.writeValueAsString(values)));
            release(connection, savepoint);
        } catch (DataAccessException | JsonProcessingException e) {
            if (e instanceof DataAccessException && !isRejectedData(sqlState(e))) {
                throw (DataAccessException) e; // the database itself failed: the whole run fails and is retried
            }
            rollback(connection, savepoint);
            claim.defer(mint);
            deadLetterFailures.increment();
            log.error("Could not dead-letter token {} either ({}); it goes back to the end of the dirty queue",
                    mint, rootMessage(e));
        }
    }

    /**
     * jsonb (and PostgreSQL text) cannot hold U+0000: replaced by U+FFFD, so a value the ingest let through can still
     * be kept for inspection. Lone surrogates are replaced by the driver's UTF-8 encoder.
     */
    static String jsonbSafe(String value) {
        return value == null || value.indexOf('\u0000') < 0 ? value : value.replace('\u0000', '\uFFFD');
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    private static Savepoint savepoint(Connection connection) {
        try {
            return connection.setSavepoint();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot set a savepoint", e);
        }
    }

    private static void rollback(Connection connection, Savepoint savepoint) {
        try {
            connection.rollback(savepoint);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot roll back to the savepoint", e);
        }
    }

    private static void release(Connection connection, Savepoint savepoint) {
        try {
            connection.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot release the savepoint", e);
        }
    }

    private static final class Outcome {
        int inserted;
        int updated;
        int deadLettered;
    }

    /** A SQL file of the routes folder, re-read when its modification time changes. */
    static final class SqlFile {
        private final Path path;
        private FileTime loadedAt;
        private String sql;

        SqlFile(Path path) {
            this.path = path;
        }

        synchronized String sql() {
            try {
                FileTime modified = Files.getLastModifiedTime(path);
                if (!modified.equals(loadedAt)) {
                    sql = Files.readString(path);
                    loadedAt = modified;
                }
                return sql;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + path.toAbsolutePath(), e);
            }
        }
    }
}
