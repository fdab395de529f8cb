package io.tokendiscovery.sync;

import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.TokenHashes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Reads the claimed tokens' Redis hashes (the fields the upsert writes, one round trip) and lays them out as the
 * column arrays the set-based upsert ({@code routes/sql/upsert-token-batch.sql}) unnests. Values stay text;
 * PostgreSQL casts them to numeric, so no precision is lost on the way.
 */
@Component("tokenSnapshots")
public class TokenSnapshots {

    /** Hash field -> SQL parameter name, in the order of the upsert's unnest(). */
    static final String[][] COLUMNS = {
        {"mint", "mint"},
        {"name", "name"},
        {"symbol", "symbol"},
        {"uri", "uri"},
        {"creator", "creator"},
        {"pool", "pool"},
        {"is_mayhem_mode", "isMayhemMode"},
        {"state", "state"},
        {"price_sol", "priceSol"},
        {"price_usd", "priceUsd"},
        {"v_sol_in_curve", "vSolInCurve"},
        {"v_tokens_in_curve", "vTokensInCurve"},
        {"bonding_progress", "bondingProgress"},
        {"trade_count", "tradeCount"},
        {"buy_count", "buyCount"},
        {"sell_count", "sellCount"},
        {"volume_sol", "volumeSol"},
        {"volume_usd", "volumeUsd"},
        {"first_seen_at", "firstSeenAtMs"},
        {"last_trade_ts", "lastTradeTsMs"},
        {"migrated_at", "migratedAtMs"},
        {"updated_at", "updatedAtMs"},
        {"version", "version"},
        {"epoch", "cacheEpoch"}
    };

    /** The hash fields read, in the order of {@link #COLUMNS}. */
    public static final List<String> FIELDS = Arrays.stream(COLUMNS).map(column -> column[0]).toList();
    private static final int MINT = FIELDS.indexOf("mint");
    private static final int VERSION = FIELDS.indexOf("version");

    /** Parameter holding the number of rows in the column arrays. */
    public static final String ROWS = "rows";

    private final TokenHashes hashes;
    private final TokenDiscoveryProperties.Persistence persistence;
    private final long activeMinTrades;

    public TokenSnapshots(TokenHashes hashes, TokenDiscoveryProperties properties) {
        this.hashes = hashes;
        this.persistence = properties.persistence();
        this.activeMinTrades = properties.states().activeMinTrades();
    }

    /**
     * @return the named parameters of the upsert: one String[] per column, plus the lazy-persistence thresholds.
     *     Tokens whose hash is gone (nothing to write) are left out.
     */
    public Map<String, Object> load(SyncClaim claim) {
        long began = System.nanoTime();
        Map<String, Object> columns = columns(claim.getMints());
        claim.tookPhase("read", System.nanoTime() - began);
        return columns;
    }

    /** The same parameters for one token (write-through mode: one upsert per swap). */
    public Map<String, Object> loadOne(String mint) {
        return columns(List.of(mint));
    }

    private Map<String, Object> columns(List<String> mints) {
        List<String[]> rows = hashes.readFields(mints, FIELDS);
        List<String[]> present = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            if (row[VERSION] != null) {
                if (row[MINT] == null) {
                    row[MINT] = mints.get(i);
                }
                present.add(row);
            }
        }
        return params(present);
    }

    /** Lays out token hashes (field -> text value) as the upsert's column arrays and thresholds. */
    public Map<String, Object> batch(List<Map<String, String>> present) {
        List<String[]> rows = new ArrayList<>(present.size());
        for (Map<String, String> hash : present) {
            String[] row = new String[FIELDS.size()];
            for (int field = 0; field < row.length; field++) {
                row[field] = hash.get(FIELDS.get(field));
            }
            rows.add(row);
        }
        return params(rows);
    }

    /** Rows of field values (in the order of {@link #FIELDS}) as the upsert's column arrays and thresholds. */
    private Map<String, Object> params(List<String[]> rows) {
        Map<String, Object> params = new HashMap<>();
        for (int column = 0; column < COLUMNS.length; column++) {
            String[] values = new String[rows.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = rows.get(i)[column];
            }
            params.put(COLUMNS[column][1], values);
        }
        params.put(ROWS, rows.size());
        params.put("minTrades", persistence.minTrades());
        params.put("minVolumeUsd", persistence.minVolumeUsd());
        params.put("activeMinTrades", activeMinTrades);
        return params;
    }
}
