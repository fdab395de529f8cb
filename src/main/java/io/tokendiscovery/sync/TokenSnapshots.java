package io.tokendiscovery.sync;

import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.TokenHashes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Reads the claimed tokens' Redis hashes in one pipelined round trip and lays them out as the column arrays the
 * set-based upsert ({@code routes/sql/upsert-token-batch.sql}) unnests. Values stay text; PostgreSQL casts them to
 * numeric, so no precision is lost on the way.
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
        {"version", "version"}
    };

    /** Parameter holding the number of rows in the column arrays. */
    public static final String ROWS = "rows";

    private final TokenHashes hashes;
    private final TokenDiscoveryProperties.Persistence persistence;

    public TokenSnapshots(TokenHashes hashes, TokenDiscoveryProperties properties) {
        this.hashes = hashes;
        this.persistence = properties.persistence();
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
        List<Map<String, String>> read = hashes.read(mints);
        List<Map<String, String>> present = new ArrayList<>(read.size());
        for (int i = 0; i < read.size(); i++) {
            Map<String, String> hash = read.get(i);
            if (hash.containsKey("version")) {
                hash.putIfAbsent("mint", mints.get(i));
                present.add(hash);
            }
        }
        return batch(present);
    }

    /** Lays out token hashes (field -> text value) as the upsert's column arrays and thresholds. */
    public Map<String, Object> batch(List<Map<String, String>> present) {
        Map<String, Object> params = new HashMap<>();
        for (String[] column : COLUMNS) {
            String[] values = new String[present.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = present.get(i).get(column[0]);
            }
            params.put(column[1], values);
        }
        params.put(ROWS, present.size());
        params.put("minTrades", persistence.minTrades());
        params.put("minVolumeUsd", persistence.minVolumeUsd());
        return params;
    }
}
