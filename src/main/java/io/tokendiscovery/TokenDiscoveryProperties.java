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
        @Valid @NotNull Jobs jobs) {

    /** The PumpPortal connection. A blank url means: use the built-in simulator. */
    public record PumpPortal(
            String url,
            String apiKey,
            @NotNull Duration pingInterval,
            @NotNull Duration pongTimeout,
            @NotNull Duration stallTimeout,
            @NotNull Duration initialBackoff,
            @NotNull Duration maxBackoff,
            @NotNull Duration connectTimeout,
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
            @NotNull Duration statsLogInterval) {}

    /** SOL/USD: the rate used for USD values until a live source is configured. */
    public record Pricing(@NotNull @DecimalMin(value = "0", inclusive = false) BigDecimal solUsd) {}

    /** Redis key layout and lifetimes. */
    public record Redis(
            @NotBlank String keyPrefix,
            @NotNull Duration tokenTtl,
            @NotNull Duration priceTickTtl,
            @Min(1) int deadLetterMaxEntries) {}

    /** The write-behind sync from Redis to PostgreSQL. */
    public record Sync(
            @NotBlank String cron,
            @NotNull Duration initialDelay,
            @Min(1) int maxBatchSize,
            @NotNull Duration claimTimeout) {}

    /** Lazy persistence: a token gets a row once it passes one of these (or is watched). */
    public record Persistence(@Min(0) long minTrades, @NotNull @DecimalMin("0") BigDecimal minVolumeUsd) {}

    /** Periodic jobs of the original plan, as Quartz cron expressions. */
    public record Jobs(@NotBlank String watchListSyncCron) {}
}
