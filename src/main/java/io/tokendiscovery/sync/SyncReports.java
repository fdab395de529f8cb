package io.tokendiscovery.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tokendiscovery.SqlStatements;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Turns the upsert's RETURNING rows into a {@link SyncReport}, publishes the sync metrics, and records failed runs.
 */
@Component("syncReports")
public class SyncReports {

    private static final Logger log = LoggerFactory.getLogger(SyncReports.class);
    public static final String REPORT_PROPERTY = "syncReport";

    private final Clock clock;
    private final NamedParameterJdbcTemplate jdbc;
    private final SqlStatements sql;
    private final Timer duration;
    private final DistributionSummary batchSize;
    private final Counter succeeded;
    private final Counter failed;
    private final Counter inserted;
    private final Counter updated;
    private final Counter skipped;
    private final Counter deadLettered;
    private final MeterRegistry meters;

    public SyncReports(Clock clock, NamedParameterJdbcTemplate jdbc, SqlStatements sql, MeterRegistry meters) {
        this.sql = sql;
        this.clock = clock;
        this.jdbc = jdbc;
        this.meters = meters;
        this.duration = Timer.builder("tokendiscovery.sync.duration")
                .description("Duration of one Redis-to-PostgreSQL sync run")
                .publishPercentileHistogram()
                .register(meters);
        this.batchSize = DistributionSummary.builder("tokendiscovery.sync.batch.size")
                .description("Tokens claimed by one sync run")
                .register(meters);
        this.succeeded = runs(meters, "success");
        this.failed = runs(meters, "failure");
        this.inserted = rows(meters, "inserted");
        this.updated = rows(meters, "updated");
        this.skipped = rows(meters, "skipped");
        this.deadLettered = rows(meters, "dead_lettered");
    }

    /**
     * The report of a written batch, from the counts its claim collected (skipped = claimed but neither inserted,
     * updated nor dead-lettered), in the batch's transaction: the write step ends with the sync_run row's commit.
     */
    public SyncReport summarise(@ExchangeProperty(SyncClaims.CLAIM_PROPERTY) SyncClaim claim) {
        int inserted = claim.getInserted();
        int updated = claim.getUpdated();
        int deadLettered = claim.getDeadLettered();
        int total = claim.getSize();
        long took = clock.millis() - claim.getStartedAtMillis();
        return new SyncReport(claim.getOwner(), claim.getStartedAtMillis(), total, inserted, updated,
                total - inserted - updated - deadLettered, deadLettered, took);
    }

    /** After the commit and the acknowledgement: the run counts as a success. */
    public void succeeded(@ExchangeProperty(REPORT_PROPERTY) SyncReport report,
            @ExchangeProperty(SyncClaims.CLAIM_PROPERTY) SyncClaim claim) {
        if (claim != null) {
            claim.getPhaseNanos().forEach((phase, nanos) -> Timer.builder("tokendiscovery.sync.phase")
                    .description("Time of one step of a successful sync run: claim (Lua), read (HMGET "
                            + "and column arrays), write (the upsert transaction incl. commit), acknowledge (Lua)")
                    .tag("phase", phase)
                    .register(meters)
                    .record(nanos, TimeUnit.NANOSECONDS));
        }
        duration.record(report.getDurationMs(), TimeUnit.MILLISECONDS);
        batchSize.record(report.getTotal());
        succeeded.increment();
        inserted.increment(report.getInserted());
        updated.increment(report.getUpdated());
        skipped.increment(report.getSkipped());
        deadLettered.increment(report.getDeadLettered());
    }

    /** The run failed and its claims were released: count it and record it when the database allows. */
    public void failed(@ExchangeProperty(SyncClaims.CLAIM_PROPERTY) SyncClaim claim,
            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        failed.increment();
        if (claim == null) {
            return;
        }
        long took = clock.millis() - claim.getStartedAtMillis();
        duration.record(took, TimeUnit.MILLISECONDS);
        // the public answer (GET /api/sync/runs) is the category and SQLSTATE; the text is for ADMIN only
        SyncErrors.Classified classified = SyncErrors.classify(cause);
        try {
            jdbc.update(sql.named("insert-failed-sync-run.sql"), new MapSqlParameterSource()
                    .addValue("category", classified.category().name())
                    .addValue("sqlState", classified.sqlState())
                    .addValue("owner", claim.getOwner())
                    .addValue("startedAtMs", claim.getStartedAtMillis())
                    .addValue("total", claim.getSize())
                    .addValue("durationMs", took)
                    .addValue("error", cause == null ? null : String.valueOf(cause.getMessage())));
        } catch (RuntimeException e) {
            log.debug("Could not record the failed sync run (database unavailable?): {}", e.getMessage());
        }
    }

    /**
     * Whether a sync failure is worth retrying within the run (sync-error-handling): the database or Redis is
     * unreachable, slow or locked (categories DATABASE_UNAVAILABLE, TIMEOUT, CONFLICT, REDIS_UNAVAILABLE). Spring
     * leaves some of these uncategorised (a lock timeout, 55P03, is an UncategorizedSQLException).
     */
    public boolean isTransient(Throwable error) {
        return switch (SyncErrors.classify(error).category()) {
            case DATABASE_UNAVAILABLE, TIMEOUT, CONFLICT, REDIS_UNAVAILABLE -> true;
            case REJECTED_DATA, INTERNAL -> false;
        };
    }

    private static Counter runs(MeterRegistry meters, String outcome) {
        return Counter.builder("tokendiscovery.sync.runs")
                .description("Sync runs by outcome; success / total is the sync success rate")
                .tag("outcome", outcome)
                .register(meters);
    }

    private static Counter rows(MeterRegistry meters, String result) {
        return Counter.builder("tokendiscovery.sync.tokens")
                .description("Tokens handled by sync runs, by result")
                .tag("result", result)
                .register(meters);
    }
}
