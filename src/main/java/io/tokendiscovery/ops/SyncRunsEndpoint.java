package io.tokendiscovery.ops;

import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.lang.Nullable;
import org.springframework.stereotype.Component;

/**
 * {@code GET /actuator/syncruns?limit=20} (ADMIN only, like every actuator endpoint but health and prometheus): the
 * recent sync runs with the full error text of failed ones. The public {@code GET /api/sync/runs} answers only a
 * category and the SQLSTATE, because the text carries SQL, host names and payload fragments (docs/api.md#sync-runs).
 */
@Component
@Endpoint(id = "syncruns")
public class SyncRunsEndpoint {

    static final int MAX_LIMIT = 200;

    private final JdbcTemplate jdbc;

    public SyncRunsEndpoint(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @ReadOperation
    public List<Map<String, Object>> runs(@Nullable Integer limit) {
        int rows = limit == null || limit <= 0 ? 20 : Math.min(limit, MAX_LIMIT);
        return jdbc.queryForList("""
                SELECT id, owner,
                       to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
                       to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS finished_at,
                       total, inserted, updated, skipped, dead_lettered, duration_ms, outcome, error_category,
                       sql_state, error
                FROM sync_run
                ORDER BY id DESC
                LIMIT ?
                """, rows);
    }
}
