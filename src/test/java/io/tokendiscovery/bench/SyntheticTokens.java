package io.tokendiscovery.bench;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Deterministic token snapshots shaped like the map {@code TokenSnapshots.load} hands to the batch writer: one
 * String[] per column (hash field -> parameter name as in {@code TokenSnapshots.COLUMNS}), plus {@code rows},
 * {@code minTrades} and {@code minVolumeUsd}. Step 0 is a batch of new tokens; step k > 0 is the same mints with a
 * higher version and new prices, counts and volumes. The same (count, step) always gives the same values, so every
 * form writes exactly the same data.
 */
final class SyntheticTokens {

    private static final char[] BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();
    private static final BigDecimal SOL_USD = new BigDecimal("187.42");
    private static final long BASE_MS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final long STEP_MS = 300_000L; // one sync interval
    private static final Set<String> WRITTEN = Set.of("mint", "name", "symbol", "uri", "creator", "pool",
            "is_mayhem_mode", "state", "price_sol", "price_usd", "v_sol_in_curve", "v_tokens_in_curve",
            "bonding_progress", "trade_count", "buy_count", "sell_count", "volume_sol", "volume_usd", "first_seen_at",
            "last_trade_ts", "migrated_at", "updated_at", "version", "epoch");

    private final int count;
    private final String[][] columns; // hash field -> parameter name
    private final long minTrades;
    private final Object minVolumeUsd;
    private final String[] mints;
    private final String[] names;
    private final String[] symbols;
    private final String[] uris;
    private final String[] creators;

    SyntheticTokens(int count, String[][] columns, long minTrades, Object minVolumeUsd) {
        this.count = count;
        this.columns = columns;
        this.minTrades = minTrades;
        this.minVolumeUsd = minVolumeUsd;
        Random random = new Random(8_000_000L + count);
        Set<String> unique = new LinkedHashSet<>();
        while (unique.size() < count) {
            unique.add(base58(random, 40) + "pump");
        }
        this.mints = unique.toArray(String[]::new);
        this.names = new String[count];
        this.symbols = new String[count];
        this.uris = new String[count];
        this.creators = new String[count];
        for (int i = 0; i < count; i++) {
            names[i] = "Bench Token " + i;
            symbols[i] = "BT" + Integer.toString(i, 36).toUpperCase();
            uris[i] = "https://ipfs.io/ipfs/Qm" + base58(random, 44);
            creators[i] = base58(random, 44);
        }
    }

    List<String> mints() {
        return Arrays.asList(mints);
    }

    /** The version every token has after the given step (checked after each run). */
    static long version(int step) {
        return BASE_MS * 1000 + step * STEP_MS * 1000;
    }

    Map<String, Object> batch(int step) {
        Random random = new Random(31L * count + step);
        Map<String, String[]> fields = new HashMap<>();
        for (String[] column : columns) {
            fields.put(column[0], new String[count]);
        }
        long now = BASE_MS + step * STEP_MS;
        for (int i = 0; i < count; i++) {
            boolean mayhem = i % 10 == 0;
            double priceSol = 2.8e-8 * (1 + random.nextDouble() * 3);
            double vSol = 30 + random.nextDouble() * 50;
            double vTokens = 1.073e9 - random.nextDouble() * 7.0e8;
            double progress = Math.max(0, Math.min(100, (1 - (vTokens - 279.9e6) / 793.1e6) * 100));
            long trades = 10 + step * 7L + random.nextInt(2_000);
            long buys = trades * 6 / 10;
            double volumeSol = trades * (0.05 + random.nextDouble());
            set(fields, "mint", i, mints[i]);
            set(fields, "name", i, names[i]);
            set(fields, "symbol", i, symbols[i]);
            set(fields, "uri", i, uris[i]);
            set(fields, "creator", i, creators[i]);
            set(fields, "pool", i, "pump");
            set(fields, "is_mayhem_mode", i, mayhem ? "1" : "0");
            set(fields, "state", i, step == 0 ? "NEW" : "ACTIVE");
            set(fields, "price_sol", i, Double.toString(priceSol));
            set(fields, "price_usd", i, BigDecimal.valueOf(priceSol).multiply(SOL_USD).toPlainString());
            set(fields, "v_sol_in_curve", i, Double.toString(vSol));
            set(fields, "v_tokens_in_curve", i, Double.toString(vTokens));
            set(fields, "bonding_progress", i, Double.toString(progress));
            set(fields, "trade_count", i, Long.toString(trades));
            set(fields, "buy_count", i, Long.toString(buys));
            set(fields, "sell_count", i, Long.toString(trades - buys));
            set(fields, "volume_sol", i, Double.toString(volumeSol));
            set(fields, "volume_usd", i, Double.toString(volumeSol * 187.42));
            set(fields, "first_seen_at", i, Long.toString(BASE_MS - i * 10L));
            set(fields, "last_trade_ts", i, Long.toString(now - random.nextInt(60_000)));
            set(fields, "migrated_at", i, i % 100 == 0 && step > 0 ? Long.toString(now - 1_000) : null);
            set(fields, "updated_at", i, Long.toString(now));
            set(fields, "version", i, Long.toString(version(step)));
            set(fields, "epoch", i, Long.toString(BASE_MS));
        }
        for (String[] column : columns) {
            if (!WRITTEN.contains(column[0])) {
                throw new IllegalStateException("TokenSnapshots.COLUMNS has a field the generator does not fill: "
                        + column[0] + "; extend SyntheticTokens");
            }
        }
        Map<String, Object> batch = new HashMap<>();
        for (String[] column : columns) {
            batch.put(column[1], fields.get(column[0]));
        }
        batch.put("rows", count);
        batch.put("minTrades", minTrades);
        batch.put("minVolumeUsd", minVolumeUsd);
        batch.put("activeMinTrades", 10L);
        return batch;
    }

    private static void set(Map<String, String[]> fields, String field, int row, String value) {
        String[] column = fields.get(field);
        if (column == null) {
            throw new IllegalStateException("TokenSnapshots.COLUMNS has no hash field " + field);
        }
        column[row] = value;
    }

    private static String base58(Random random, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = BASE58[random.nextInt(BASE58.length)];
        }
        return new String(chars);
    }
}
