package io.tokendiscovery.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What PostgreSQL wrote, read before and after a measured window; the differences are the window's figures.
 * Rows from pg_stat_user_tables (the run's schema), writing statements from pg_stat_statements (INSERT, UPDATE,
 * DELETE, MERGE; when loaded), WAL from pg_current_wal_insert_lsn() (the insert position: pg_current_wal_lsn() lags
 * behind with synchronous_commit=off), WAL records and full-page images from pg_stat_wal (PG 14+), checkpoints from
 * pg_stat_bgwriter (pg_stat_checkpointer on PG 17+). Table and statement statistics are sent by backends at the end
 * of a transaction and are read through a fresh snapshot ({@code pg_stat_clear_snapshot()}).
 */
record PostgresCounters(
        long rowsInserted,
        long rowsUpdated,
        long hotUpdates,
        long statements,
        long statementRows,
        long walBytes,
        long walRecords,
        long walFpi,
        long checkpointsTimed,
        long checkpointsRequested) {

    static PostgresCounters read(Connection c, String schema) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_clear_snapshot()");
            long ins = 0, upd = 0, hot = 0;
            try (ResultSet rs = s.executeQuery("SELECT coalesce(sum(n_tup_ins),0), coalesce(sum(n_tup_upd),0), "
                    + "coalesce(sum(n_tup_hot_upd),0) FROM pg_stat_user_tables WHERE schemaname = '" + schema + "'")) {
                rs.next();
                ins = rs.getLong(1);
                upd = rs.getLong(2);
                hot = rs.getLong(3);
            }
            long statements = -1, statementRows = -1;
            try (ResultSet rs = s.executeQuery("SELECT coalesce(sum(calls),0), coalesce(sum(rows),0) "
                    + "FROM public.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    + "AND regexp_replace(query, '^(\\s*--[^\\n]*\\n)*\\s*', '') ~* '^(insert|update|delete|merge|with)\\s'")) {
                rs.next();
                statements = rs.getLong(1);
                statementRows = rs.getLong(2);
            } catch (SQLException e) {
                // pg_stat_statements not loaded (or not in schema public): reported as n/a
            }
            long wal;
            try (ResultSet rs = s.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint")) {
                rs.next();
                wal = rs.getLong(1);
            }
            long records = -1, fpi = -1;
            try (ResultSet rs = s.executeQuery("SELECT wal_records, wal_fpi FROM pg_stat_wal")) {
                rs.next();
                records = rs.getLong(1);
                fpi = rs.getLong(2);
            } catch (SQLException e) {
                // before PG 14
            }
            long timed, requested;
            try (ResultSet rs = s.executeQuery("SELECT checkpoints_timed, checkpoints_req FROM pg_stat_bgwriter")) {
                rs.next();
                timed = rs.getLong(1);
                requested = rs.getLong(2);
            } catch (SQLException e) {
                try (ResultSet rs = s.executeQuery("SELECT num_timed, num_requested FROM pg_stat_checkpointer")) {
                    rs.next();
                    timed = rs.getLong(1);
                    requested = rs.getLong(2);
                }
            }
            return new PostgresCounters(ins, upd, hot, statements, statementRows, wal, records, fpi, timed, requested);
        }
    }

    PostgresCounters minus(PostgresCounters o) {
        return new PostgresCounters(rowsInserted - o.rowsInserted, rowsUpdated - o.rowsUpdated,
                hotUpdates - o.hotUpdates,
                statements < 0 || o.statements < 0 ? -1 : statements - o.statements,
                statementRows < 0 || o.statementRows < 0 ? -1 : statementRows - o.statementRows,
                walBytes - o.walBytes,
                walRecords < 0 ? -1 : walRecords - o.walRecords, walFpi < 0 ? -1 : walFpi - o.walFpi,
                checkpointsTimed - o.checkpointsTimed, checkpointsRequested - o.checkpointsRequested);
    }

    long rowsWritten() {
        return rowsInserted + rowsUpdated;
    }

    /** Full-page images per WAL record; -1 when pg_stat_wal is missing. */
    double fpiShare() {
        return walRecords <= 0 ? -1 : (double) walFpi / walRecords;
    }
}
