package io.tokendiscovery.api;

import io.tokendiscovery.cache.HotScoreMath;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The API's token JSON, built from a Redis hash or a PostgreSQL row (same field names either way). */
final class TokenViews {

    private static final BigDecimal SUPPLY = BigDecimal.valueOf(1_000_000_000L);
    private static final BigDecimal MAYHEM_SUPPLY = BigDecimal.valueOf(2_000_000_000L);

    private TokenViews() {}

    /** From the live Redis hash (values are strings, times in epoch ms). */
    static Map<String, Object> fromRedis(Map<String, String> h, HotScoreMath hot, Clock clock) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("mint", h.get("mint"));
        view.put("name", h.get("name"));
        view.put("symbol", h.get("symbol"));
        view.put("uri", h.get("uri"));
        view.put("creator", h.get("creator"));
        view.put("pool", h.get("pool"));
        boolean mayhem = "1".equals(h.get("is_mayhem_mode"));
        view.put("isMayhemMode", mayhem);
        view.put("state", h.getOrDefault("state", "NEW"));
        BigDecimal price = decimal(h.get("price_sol"));
        BigDecimal priceUsd = decimal(h.get("price_usd"));
        view.put("priceSol", price);
        view.put("priceUsd", priceUsd);
        view.put("marketCapSol", price == null ? null : price.multiply(mayhem ? MAYHEM_SUPPLY : SUPPLY).stripTrailingZeros());
        view.put("marketCapUsd", priceUsd == null ? null : priceUsd.multiply(mayhem ? MAYHEM_SUPPLY : SUPPLY).stripTrailingZeros());
        view.put("bondingProgress", decimal(h.get("bonding_progress")));
        view.put("tradeCount", longOrZero(h.get("trade_count")));
        view.put("buyCount", longOrZero(h.get("buy_count")));
        view.put("sellCount", longOrZero(h.get("sell_count")));
        view.put("volumeSol", decimal(h.get("volume_sol")));
        view.put("volumeUsd", decimal(h.get("volume_usd")));
        view.put("hotScore", h.get("hot_log") == null ? 0d : hot.scoreAt(Double.parseDouble(h.get("hot_log")), clock.millis()));
        view.put("firstSeenAt", instant(h.get("first_seen_at")));
        view.put("lastTradeAt", instant(h.get("last_trade_ts")));
        view.put("migratedAt", instant(h.get("migrated_at")));
        return view;
    }

    /** From a {@code token_discovery} row. */
    static Map<String, Object> fromRow(Map<String, Object> r) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("mint", r.get("mint"));
        view.put("name", r.get("name"));
        view.put("symbol", r.get("symbol"));
        view.put("uri", r.get("uri"));
        view.put("creator", r.get("creator"));
        view.put("pool", r.get("pool"));
        view.put("isMayhemMode", r.get("is_mayhem_mode"));
        view.put("state", r.get("state"));
        view.put("priceSol", r.get("price_sol"));
        view.put("priceUsd", r.get("price_usd"));
        view.put("marketCapSol", r.get("market_cap_sol"));
        view.put("marketCapUsd", r.get("market_cap_usd"));
        view.put("bondingProgress", r.get("bonding_progress"));
        view.put("tradeCount", r.get("trade_count"));
        view.put("buyCount", r.get("buy_count"));
        view.put("sellCount", r.get("sell_count"));
        view.put("volumeSol", r.get("volume_sol"));
        view.put("volumeUsd", r.get("volume_usd"));
        view.put("hotScore", r.get("hot_score"));
        view.put("firstSeenAt", string(r.get("first_seen_at")));
        view.put("lastTradeAt", string(r.get("last_trade_ts")));
        view.put("migratedAt", string(r.get("migrated_at")));
        return view;
    }

    private static BigDecimal decimal(String s) {
        return s == null ? null : new BigDecimal(s);
    }

    private static long longOrZero(String s) {
        return s == null ? 0 : Long.parseLong(s);
    }

    private static String instant(String millis) {
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong(millis)).toString();
    }

    private static String string(Object timestamp) {
        return timestamp instanceof java.sql.Timestamp ts ? ts.toInstant().toString() : timestamp == null ? null : timestamp.toString();
    }
}
