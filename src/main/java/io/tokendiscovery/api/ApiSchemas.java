package io.tokendiscovery.api;

import java.math.BigDecimal;

/**
 * The shapes of the read API's JSON, named by {@code routes/token-api.camel.yaml} ({@code responseModel}) so that the
 * OpenAPI document at {@code /api/openapi.json} declares a schema for every response. The routes build these
 * documents as maps ({@link TokenViews}, the trade entries of the ingest, the sync_run rows); these records only
 * describe them, and {@code TokenApiTest} checks that served documents and declared schemas agree.
 */
public final class ApiSchemas {

    private ApiSchemas() {}

    /** A token as {@code /api/tokens/...} serves it. */
    public record Token(
            String mint, String name, String symbol, String uri, String creator, String pool, Boolean isMayhemMode,
            String state, BigDecimal priceSol, BigDecimal priceUsd, BigDecimal marketCapSol, BigDecimal marketCapUsd,
            BigDecimal bondingProgress, Long tradeCount, Long buyCount, Long sellCount, BigDecimal volumeSol,
            BigDecimal volumeUsd, Double hotScore, String firstSeenAt, String lastTradeAt, String migratedAt) {}

    /** One of a token's recent trades; {@code receivedAt} in epoch milliseconds. */
    public record Trade(
            String signature, String side, Double tokenAmount, Double solAmount, Double priceSol, String trader,
            Long receivedAt) {}

    /** A {@code sync_run} row; times are ISO-8601 UTC. */
    public record SyncRun(
            Long id, String owner, String started_at, String finished_at, Integer total, Integer inserted,
            Integer updated, Integer skipped, Integer dead_lettered, Long duration_ms, String outcome,
            String error_category, String sql_state) {}

    /** An RFC 7807 problem ({@code application/problem+json}). */
    public record Problem(String type, String title, Integer status, String detail, String instance) {}
}
