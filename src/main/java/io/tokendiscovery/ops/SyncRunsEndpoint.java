package io.tokendiscovery.ops;

import io.tokendiscovery.SqlStatements;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
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

    private final NamedParameterJdbcTemplate jdbc;
    private final SqlStatements sql;

    public SyncRunsEndpoint(NamedParameterJdbcTemplate jdbc, SqlStatements sql) {
        this.sql = sql;
        this.jdbc = jdbc;
    }

    @ReadOperation
    public List<Map<String, Object>> runs(@Nullable Integer limit) {
        int rows = limit == null || limit <= 0 ? 20 : Math.min(limit, MAX_LIMIT);
        return jdbc.queryForList(sql.named("select-sync-runs-admin.sql"), Map.of("limit", rows));
    }
}
