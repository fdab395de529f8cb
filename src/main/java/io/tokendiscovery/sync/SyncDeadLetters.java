package io.tokendiscovery.sync;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.SqlStatements;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Replays rows PostgreSQL rejected during syncs ({@code sync_dead_letter}), after the cause was fixed (a constraint
 * relaxed, a column widened): in ONE transaction the open rows are locked, written again with the sync's own upsert
 * (version guard: a token synced since with a newer version is left alone), and marked {@code replayed_at}. A row
 * rejected again gets a new dead-letter row with the new error.
 */
@Component("syncDeadLetters")
public class SyncDeadLetters {

    private static final Logger log = LoggerFactory.getLogger(SyncDeadLetters.class);
    static final String REPLAY_OWNER = "replay";

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final TokenBatchWriter writer;
    private final ObjectMapper json;
    private final TokenSnapshots snapshots;
    private final SqlStatements sql;

    public SyncDeadLetters(NamedParameterJdbcTemplate jdbc, TransactionTemplate transaction, TokenBatchWriter writer,
            ObjectMapper json, TokenSnapshots snapshots, SqlStatements sql) {
        this.sql = sql;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.writer = writer;
        this.json = json;
        this.snapshots = snapshots;
    }

    public long open() {
        Long open = jdbc.getJdbcTemplate().queryForObject(sql.sql("count-open-sync-dead-letters.sql"), Long.class);
        return open == null ? 0 : open;
    }

    /** @return {@code replayed} rows, {@code written} to token_discovery, {@code rejectedAgain} */
    public Map<String, Integer> replay(int max) {
        return transaction.execute(status -> {
            List<Map<String, Object>> open = jdbc.queryForList(sql.named("lock-open-sync-dead-letters.sql"),
                    new MapSqlParameterSource("limit", max));
            Map<String, Integer> report = new LinkedHashMap<>();
            report.put("replayed", open.size());
            if (open.isEmpty()) {
                report.put("written", 0);
                report.put("rejectedAgain", 0);
                return report;
            }
            List<Long> ids = new ArrayList<>();
            List<Map<String, String>> rows = new ArrayList<>();
            for (Map<String, Object> row : open) {
                ids.add(((Number) row.get("id")).longValue());
                rows.add(parse((String) row.get("payload")));
            }
            TokenBatchWriter.Written written = writer.writeRows(snapshots.batch(rows), REPLAY_OWNER);
            jdbc.update(sql.named("mark-sync-dead-letters-replayed.sql"), new MapSqlParameterSource("ids", ids));
            report.put("written", written.inserted() + written.updated());
            report.put("rejectedAgain", written.deadLettered());
            log.info("Replayed {} sync dead letters: {} rows written, {} rejected again", open.size(),
                    written.inserted() + written.updated(), written.deadLettered());
            return report;
        });
    }

    private Map<String, String> parse(String payload) {
        try {
            return json.readValue(payload, new TypeReference<Map<String, String>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("Unreadable sync_dead_letter payload", e);
        }
    }
}
