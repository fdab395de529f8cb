package io.tokendiscovery.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.SqlStatements;
import io.tokendiscovery.TokenDiscoveryProperties;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
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
 * The steps of the sync's write the YAML routes cannot do themselves (routes/redis-to-db-sync.camel.yaml, where the
 * set-based upsert {@code routes/sql/upsert-token-batch.sql} and the {@code sync_run} row run through camel-sql in
 * ONE transaction): cutting a huge batch into chunks ({@code tokendiscovery.sync.chunk-size}), the savepoint before
 * the upsert, counting the rows it returned, and the poison-row path.
 *
 * <p>A row the database rejects (constraint, overflow, invalid value: SQLSTATE classes 22, 23 and 54) must not block
 * the batch: the route's error handling ({@code sync-row-error-handling}) calls {@link #isolate}, which goes back to
 * the savepoint and bisects the rows under savepoints until the rejected ones are isolated; each goes to {@code
 * sync_dead_letter} with its values and the error, the rest is written. Any other error (the database is down, a
 * timeout) is not a bad row: it propagates, the transaction rolls back and the claims are released for the next run.
 *
 * <p>The write-through and dead-letter replay writers ({@link #writeThrough}, {@link #writeRows}) run the same file
 * through Spring's JDBC with the same isolation.
 */
@Component("tokenBatchWriter")
public class TokenBatchWriter {

    static final String UPSERT = "upsert-token-batch.sql";

    private static final Logger log = LoggerFactory.getLogger(TokenBatchWriter.class);
    static final String SAVEPOINT_PROPERTY = "syncSavepoint";

    private final DataSource dataSource;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final ObjectMapper json;
    private final SqlStatements sql;
    private final Counter deadLetterFailures;
    private final int chunkSize;

    /** sync_owner of rows dead-lettered by the write-through path. */
    static final String WRITE_THROUGH_OWNER = "write-through";

    public TokenBatchWriter(DataSource dataSource, NamedParameterJdbcTemplate jdbc, TransactionTemplate transaction,
            ObjectMapper json, SqlStatements sql, TokenDiscoveryProperties properties, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.json = json;
        this.sql = sql;
        this.deadLetterFailures = Counter.builder("tokendiscovery.sync.dead.letter.failures")
                .description("Rows PostgreSQL rejected whose sync_dead_letter record could not be written either; "
                        + "the token went back to the end of the dirty queue")
                .register(meters);
        this.chunkSize = properties.sync().chunkSize();
    }

    /**
     * The write step starts. With {@code chunk-size} set and a larger batch: every chunk but the last, each written
     * in a transaction of its own (a failure in a later chunk leaves earlier ones committed, which is safe: the
     * claims are released and rewriting committed rows is a no-op, version guard). Otherwise none.
     */
    public List<Map<String, Object>> leadingChunks(Map<String, Object> batch,
            @ExchangeProperty(SyncClaims.CLAIM_PROPERTY) SyncClaim claim) {
        claim.writeStarted(System.nanoTime());
        int rows = (Integer) batch.get(TokenSnapshots.ROWS);
        List<Map<String, Object>> chunks = new ArrayList<>();
        if (chunkSize <= 0) {
            return chunks;
        }
        for (int from = 0; from < lastChunkStart(rows); from += chunkSize) {
            chunks.add(slice(batch, from, from + chunkSize));
        }
        return chunks;
    }

    /** The write step ended: every transaction of the batch committed. */
    public void committed(@ExchangeProperty(SyncClaims.CLAIM_PROPERTY) SyncClaim claim) {
        claim.writeEnded(System.nanoTime());
    }

    /** The batch's last chunk (the whole batch without chunks): written with the sync_run row. */
    public Map<String, Object> lastChunk(Map<String, Object> batch) {
        int rows = (Integer) batch.get(TokenSnapshots.ROWS);
        return chunkSize <= 0 ? batch : slice(batch, lastChunkStart(rows), rows);
    }

    private int lastChunkStart(int rows) {
        return rows == 0 ? 0 : (rows - 1) / chunkSize * chunkSize;
    }

    /** The same parameters for rows {@code from} (inclusive) to {@code to} (exclusive). */
    private static Map<String, Object> slice(Map<String, Object> batch, int from, int to) {
        Map<String, Object> chunk = new HashMap<>(batch);
        for (Map.Entry<String, Object> entry : batch.entrySet()) {
            if (entry.getValue() instanceof String[] column) {
                chunk.put(entry.getKey(), Arrays.copyOfRange(column, from, to));
            }
        }
        chunk.put(TokenSnapshots.ROWS, to - from);
        return chunk;
    }

    /** Before the upsert: a savepoint on the transaction's connection, so a rejected row does not abort it. */
    public void savepoint(Exchange exchange) {
        exchange.setProperty(SAVEPOINT_PROPERTY, savepoint(DataSourceUtils.getConnection(dataSource)));
    }

    /** After the upsert: its RETURNING rows counted as inserted or updated; the savepoint released. */
    public void written(List<Map<String, Object>> returned, Exchange exchange,
            @ExchangeProperty(SyncClaims.CLAIM_PROPERTY) SyncClaim claim) {
        release(DataSourceUtils.getConnection(dataSource), exchange.getProperty(SAVEPOINT_PROPERTY, Savepoint.class));
        count(returned, claim);
    }

    /** Whether a failed upsert means "these rows", not "the database" (route configuration sync-row-error-handling). */
    public boolean isRejectedRow(Throwable error) {
        return isRejectedData(sqlState(error));
    }

    /**
     * The upsert failed on rejected data: back to the savepoint, then the rows bisected under savepoints until each
     * rejected one is isolated into {@code sync_dead_letter}; the rest is written in the same transaction. The route
     * then goes on ({@code continued}) as if the upsert had answered these rows.
     *
     * @return the RETURNING rows of the rows written
     */
    public List<Map<String, Object>> isolate(Map<String, Object> batch, Exchange exchange,
            @ExchangeProperty(SyncClaims.CLAIM_PROPERTY) SyncClaim claim) {
        Connection connection = DataSourceUtils.getConnection(dataSource);
        rollback(connection, exchange.getProperty(SAVEPOINT_PROPERTY, Savepoint.class));
        int rows = (Integer) batch.get(TokenSnapshots.ROWS);
        List<Integer> all = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            all.add(i);
        }
        List<Map<String, Object>> returned = new ArrayList<>();
        int half = rows / 2;
        upsertIsolating(connection, batch, all.subList(0, half), claim, returned);
        upsertIsolating(connection, batch, all.subList(half, rows), claim, returned);
        return returned;
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
        SyncClaim writer = new SyncClaim(owner, 0, List.of(), 0);
        transaction.executeWithoutResult(status -> count(upsertRange(batch, 0, rows, writer), writer));
        return new Written(writer.getInserted(), writer.getUpdated(), writer.getDeadLettered());
    }

    /** What {@link #writeRows} did. */
    public record Written(int inserted, int updated, int deadLettered) {}

    private List<Map<String, Object>> upsertRange(Map<String, Object> batch, int from, int to, SyncClaim claim) {
        List<Integer> rows = new ArrayList<>(Math.max(0, to - from));
        for (int i = from; i < to; i++) {
            rows.add(i);
        }
        List<Map<String, Object>> returned = new ArrayList<>();
        upsertIsolating(DataSourceUtils.getConnection(dataSource), batch, rows, claim, returned);
        return returned;
    }

    /** Upserts the rows under a savepoint; on rejected data, bisects; adds the RETURNING rows to {@code returned}. */
    private void upsertIsolating(Connection connection, Map<String, Object> batch, List<Integer> rows,
            SyncClaim claim, List<Map<String, Object>> returned) {
        if (rows.isEmpty()) {
            return;
        }
        Savepoint savepoint = savepoint(connection);
        try {
            returned.addAll(jdbc.queryForList(sql.named(UPSERT), parameters(connection, batch, rows)));
            release(connection, savepoint);
        } catch (DataAccessException e) {
            String sqlState = sqlState(e);
            if (!isRejectedData(sqlState)) {
                throw e;
            }
            rollback(connection, savepoint);
            if (rows.size() == 1) {
                deadLetter(connection, batch, rows.get(0), claim, sqlState, e);
                claim.deadLettered();
                return;
            }
            int half = rows.size() / 2;
            upsertIsolating(connection, batch, rows.subList(0, half), claim, returned);
            upsertIsolating(connection, batch, rows.subList(half, rows.size()), claim, returned);
        }
    }

    private static void count(List<Map<String, Object>> returned, SyncClaim claim) {
        int inserted = 0;
        for (Map<String, Object> row : returned) {
            if (Boolean.TRUE.equals(row.get("inserted"))) {
                inserted++;
            }
        }
        claim.wrote(inserted, returned.size() - inserted);
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
            jdbc.update(sql.named("insert-sync-dead-letter.sql"), new MapSqlParameterSource()
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
}
