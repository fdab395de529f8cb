package io.tokendiscovery;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every tunable of the application, under {@code tokendiscovery.*}. The defaults (the original plan's) live in
 * {@code application.yaml} and are listed in docs/configuration.md; routes read the same values through
 * {@code {{tokendiscovery...}}} placeholders, Java beans through this class.
 */
@Validated
@ConfigurationProperties("tokendiscovery")
public record TokenDiscoveryProperties(
        @Valid @NotNull PumpPortal pumpportal,
        @Valid @NotNull Ingest ingest,
        @Valid @NotNull Pricing pricing,
        @Valid @NotNull Redis redis,
        @Valid @NotNull Sync sync,
        @Valid @NotNull Persistence persistence,
        @Valid @NotNull Jobs jobs,
        @Valid @NotNull Hot hot,
        @Valid @NotNull States states,
        @Valid @NotNull Api api,
        @Valid @NotNull Live live,
        @Valid @NotNull Ops ops,
        @Valid @NotNull Security security,
        @NotNull WriteMode writeMode,
        @Valid @NotNull Database database,
        @Valid @NotNull WriteThrough writeThrough) {

    /** The PumpPortal connection. A blank url means: use the built-in simulator. */
    public record PumpPortal(
            String url,
            String apiKey,
            @NotNull Duration pingInterval,
            @NotNull Duration pongTimeout,
            @NotNull Duration stallTimeout,
            @NotNull Duration initialBackoff,
            @NotNull Duration maxBackoff,
            @NotNull Duration backoffResetAfter,
            @NotNull Duration connectTimeout,
            java.util.List<String> trustCertificates,
            @NotNull Duration zombieTimeout,
            @DecimalMin("0") double dailyBudgetSol,
            @DecimalMin(value = "0", inclusive = false) double solPer10kTradeMessages,
            @Min(1) @Max(5000) int maxKeysPerMessage,
            @Min(1) @Max(200) int maxMessagesPerSecond,
            @Min(16) int receiveQueueCapacity,
            @NotNull DataSize maxFrameSize) {

        public boolean hasUrl() {
            return StringUtils.hasText(url);
        }

        public boolean hasApiKey() {
            return StringUtils.hasText(apiKey);
        }

        /** Never print the key: records' generated toString would. */
        @Override
        public String toString() {
            return "PumpPortal[url=" + url + ", apiKey=" + (hasApiKey() ? "****" : "<none>") + "]";
        }
    }

    /** Which mints get a trade subscription, and how long Redis remembers signatures for deduplication. */
    public record Ingest(
            @NotNull Duration newTokenTradeWindow,
            @NotNull Duration subscriptionFlushInterval,
            @NotNull Duration signatureDedupTtl,
            @NotNull Duration replayDedupTtl,
            @NotNull Duration statsLogInterval,
            @Min(1) int maxBatch,
            @NotNull Duration redisOutageMaxWait) {}

    /**
     * SOL/USD: polled from {@code solUsdSources} in order, cached in Redis, validated; {@code solUsd} is the last
     * resort when no source has given a fresh, sane value.
     */
    public record Pricing(
            @NotNull @DecimalMin(value = "0", inclusive = false) BigDecimal solUsd,
            @NotNull java.util.List<@Valid SolUsdSource> solUsdSources,
            @NotNull Duration solUsdRefreshInterval,
            @NotNull Duration solUsdMaxAge,
            @NotNull Duration solUsdHttpTimeout,
            @NotNull @DecimalMin(value = "0", inclusive = false) BigDecimal solUsdMin,
            @NotNull @DecimalMin(value = "0", inclusive = false) BigDecimal solUsdMax,
            @DecimalMin(value = "0", inclusive = false) double solUsdMaxChange) {}

    /** One SOL/USD source: a URL answering JSON, and the JSON pointer of the price in it. */
    public record SolUsdSource(@NotBlank String name, @NotBlank String url, @NotBlank String pointer) {}

    /** Redis key layout and lifetimes. */
    public record Redis(
            @NotBlank String keyPrefix,
            @NotNull Duration tokenTtl,
            @NotNull Duration priceTickTtl,
            @NotNull Duration retainedStateTtl,
            @Min(1) int deadLetterMaxEntries,
            @Min(1) int recentTrades,
            @Min(0) int deadLetterSpillMaxEntries,
            @NotNull Duration reconnectMaxDelay) {}

    /** The write-behind sync from Redis to PostgreSQL. */
    public record Sync(
            @NotBlank String cron,
            @NotNull Duration initialDelay,
            @Min(1) int maxBatchSize,
            @Min(0) int chunkSize,
            @NotNull Duration claimTimeout,
            @NotBlank String sqlDirectory,
            @NotNull Duration shutdownTimeout,
            @Min(0) int retries,
            @Min(1) long retryDelayMs) {}

    /**
     * Timeouts of every PostgreSQL connection of the pool (docs/operations.md#timeouts), applied by
     * {@link DatabaseTimeouts} whatever the JDBC URL (embedded or real). 0 disables one.
     *
     * @param connectionTimeout longest wait for a pooled connection (Hikari {@code connectionTimeout})
     * @param connectTimeout TCP connect and login of a new connection (pgjdbc {@code connectTimeout},
     *     {@code loginTimeout})
     * @param socketTimeout longest silence on a connection's socket (pgjdbc {@code socketTimeout}); keep it above
     *     {@code statementTimeout}, so the server cancels a slow statement before the client drops the connection
     * @param statementTimeout PostgreSQL {@code statement_timeout} of every session
     * @param lockTimeout PostgreSQL {@code lock_timeout}: longest wait for a row or table lock
     * @param idleInTransactionTimeout PostgreSQL {@code idle_in_transaction_session_timeout}
     */
    public record Database(
            @NotNull Duration connectionTimeout,
            @NotNull Duration connectTimeout,
            @NotNull Duration socketTimeout,
            @NotNull Duration statementTimeout,
            @NotNull Duration lockTimeout,
            @NotNull Duration idleInTransactionTimeout) {}

    /**
     * Write-through mode (the rollback): the ingest hands changed mints to a bounded queue and never waits on JDBC
     * (docs/write-behind.md#write-through-safety).
     *
     * @param queueCapacity ingest batches waiting for the write-through writer; a full queue drops (counted)
     * @param coolDown after a failed write, write-through is skipped this long ("the next sync writes it")
     */
    public record WriteThrough(@Min(1) int queueCapacity, @NotNull Duration coolDown) {}

    /** Lazy persistence: a token gets a row once it passes one of these (or is watched). */
    public record Persistence(@Min(0) long minTrades, @NotNull @DecimalMin("0") BigDecimal minVolumeUsd) {}

    /** Periodic jobs of the original plan, as Quartz cron expressions. */
    public record Jobs(@NotBlank String watchListSyncCron, @NotBlank String hotScoreCron, @NotBlank String marketDataCron) {}

    /** Hot score: time-decayed USD volume plus a weight per trade (docs/read-side.md). */
    public record Hot(
            @NotNull Duration halfLife,
            @DecimalMin("0") double tradeWeightUsd,
            @Min(10) int feedSize,
            @DecimalMin("0") double minChange) {}

    /** The read API (docs/api.md). */
    public record Api(@Min(1) int defaultLimit, @Min(1) int maxLimit, @NotNull Duration tokenCacheTtl) {}

    /**
     * Operations: the PostgreSQL checkpoint monitor, the dependency probes and health, and how often each replica
     * reads the shared write mode (docs/operations.md).
     */
    public record Ops(
            @NotNull Duration postgresPollInterval,
            @NotNull Duration probeInterval,
            @NotNull Duration maxSyncAge,
            @NotNull Duration feedDownGrace,
            @NotNull Duration writeModePollInterval) {}

    /**
     * Users of the management console (Hawtio, Jolokia, actuator endpoints other than health and prometheus). A user
     * whose password is blank does not exist; passwords come from the environment or a Kubernetes Secret.
     */
    public record Security(
            @NotBlank String adminUsername,
            String adminPassword,
            @NotBlank String viewerUsername,
            String viewerPassword) {

        /** Never print the passwords: records' generated toString would. */
        @Override
        public String toString() {
            return "Security[admin=" + adminUsername + ", viewer=" + viewerUsername + "]";
        }
    }

    /** How token changes reach PostgreSQL (docs/operations.md#rollback-to-write-through). */
    public enum WriteMode {
        /** Redis first, one batched upsert per sync interval (the cure). */
        WRITE_BEHIND,
        /** Every swap also upserts its token's row at once (the incident's behaviour; the emergency rollback). */
        WRITE_THROUGH
    }

    /** Live price push to UIs (docs/api.md#live-push). */
    public record Live(
            @NotBlank String host,
            @Min(0) @Max(65535) int port,
            @NotBlank String path,
            @Min(1) int clientQueueCapacity,
            @NotNull Duration hotFeedInterval,
            @Min(1) int publishQueueCapacity,
            @Min(1) int fanOutQueueCapacity,
            @NotNull Duration subscriberRecoveryInterval,
            @Min(1) int maxClients,
            @Min(1) int maxMintsPerClient,
            @NotNull DataSize maxMessageSize,
            @Min(1) int maxMessagesPerSecond,
            java.util.List<String> allowedOrigins) {

        /** Allowed browser origins; empty: the request's own host (any port, http or https). */
        public java.util.List<String> allowedOrigins() {
            return allowedOrigins == null ? java.util.List.of()
                    : allowedOrigins.stream().filter(StringUtils::hasText).map(String::trim).toList();
        }
    }

    /** The token state machine (docs/read-side.md). */
    public record States(
            @DecimalMin("0") double graduatingProgress,
            @Min(0) long activeMinTrades,
            @NotNull Duration staleAfter) {}
}
