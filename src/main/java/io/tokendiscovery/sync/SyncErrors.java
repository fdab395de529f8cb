package io.tokendiscovery.sync;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeoutException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionTimedOutException;

/**
 * What a failed sync run tells the public ({@code GET /api/sync/runs}): a category and the SQLSTATE, never the
 * exception text (it carries SQL, hosts and payload fragments). The full text stays in {@code sync_run.error}, shown
 * only to ADMIN ({@code /actuator/syncruns}), and in the log.
 */
public final class SyncErrors {

    /** The public categories of a failed run (docs/api.md#sync-runs). */
    public enum Category {
        /** No connection to PostgreSQL (refused, pool wait timed out, server shutting down, too many clients). */
        DATABASE_UNAVAILABLE,
        /** A statement, lock, transaction or socket timeout (PostgreSQL hung or blocked by a lock). */
        TIMEOUT,
        /** PostgreSQL rejected data outside a row the bisection could isolate (SQLSTATE classes 22 and 23). */
        REJECTED_DATA,
        /** A concurrent transaction won (serialization failure, deadlock: SQLSTATE class 40). */
        CONFLICT,
        /** Redis unreachable or failing. */
        REDIS_UNAVAILABLE,
        /** Anything else (a bug, an unexpected database error): see the details as ADMIN. */
        INTERNAL
    }

    /** The category and SQLSTATE (null when no SQL error is in the cause chain) of a failure. */
    public record Classified(Category category, String sqlState) {}

    private SyncErrors() {}

    public static Classified classify(Throwable error) {
        String sqlState = sqlState(error);
        return new Classified(category(error, sqlState), sqlState);
    }

    static Category category(Throwable error, String sqlState) {
        if (error == null) {
            return Category.INTERNAL;
        }
        // query_canceled (statement or query timeout), lock_not_available, idle_in_transaction_session_timeout
        if ("57014".equals(sqlState) || "55P03".equals(sqlState) || "25P03".equals(sqlState)) {
            return Category.TIMEOUT;
        }
        if (any(error, t -> t instanceof CannotCreateTransactionException || t instanceof CannotGetJdbcConnectionException
                || t instanceof SQLTransientConnectionException)) {
            return Category.DATABASE_UNAVAILABLE;   // no connection at all (refused, or the pool wait timed out)
        }
        if (any(error, t -> t instanceof TransactionTimedOutException || t instanceof QueryTimeoutException
                || t instanceof SQLTimeoutException || t instanceof SocketTimeoutException
                || t instanceof TimeoutException || t.getClass().getSimpleName().equals("RedisCommandTimeoutException"))) {
            return Category.TIMEOUT;
        }
        if (any(error, t -> t.getClass().getName().startsWith("org.springframework.data.redis.")
                || t.getClass().getName().startsWith("io.lettuce."))) {
            return Category.REDIS_UNAVAILABLE;
        }
        if (any(error, t -> t instanceof DataAccessResourceFailureException) || (sqlState != null
                && (sqlState.startsWith("08") || sqlState.startsWith("53") || sqlState.startsWith("57P")
                        || sqlState.equals("55000")))) {
            return Category.DATABASE_UNAVAILABLE;   // connection lost, out of resources, shutting down
        }
        if (sqlState != null && (sqlState.startsWith("22") || sqlState.startsWith("23"))) {
            return Category.REJECTED_DATA;
        }
        if (sqlState != null && sqlState.startsWith("40")) {
            return Category.CONFLICT;
        }
        return Category.INTERNAL;
    }

    private static boolean any(Throwable error, java.util.function.Predicate<Throwable> test) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }

    /** The first SQLSTATE in the cause chain. */
    static String sqlState(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
