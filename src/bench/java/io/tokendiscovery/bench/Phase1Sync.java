package io.tokendiscovery.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * The original plan's Phase 1 sync, as written, for comparison only (bench code, never in the app): every interval
 * {@code KEYS prices:*}, one {@code GET} per key, then inside ONE transaction one {@code UPDATE token_discovery ...
 * WHERE mint = ?} per token. The plan's rows exist before their first price; here nothing else creates them (the
 * app's own sync is off), so a token whose UPDATE finds no row gets one plain {@code INSERT} (counted like any
 * statement). It reads the {@code {prefix}prices:{mint}} tick JSON the app's ingest writes
 * ({@code {"mint","priceSol","priceUsd","vSol","vTokens","seq","receivedAt"}}).
 */
final class Phase1Sync implements AutoCloseable {

    private static final String UPDATE = "UPDATE token_discovery SET price_sol = ?, price_usd = ?, "
            + "market_cap_sol = ? * 1000000000, v_sol_in_curve = ?, v_tokens_in_curve = ?, last_updated_at = ?, "
            + "version = ? WHERE mint = ?";
    private static final String INSERT = "INSERT INTO token_discovery (mint, price_sol, price_usd, market_cap_sol, "
            + "v_sol_in_curve, v_tokens_in_curve, first_seen_at, last_updated_at, version) "
            + "VALUES (?, ?, ?, ? * 1000000000, ?, ?, ?, ?, ?) ON CONFLICT (mint) DO NOTHING";

    private final BenchServers servers;
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "phase1-sync");
        t.setDaemon(true);
        return t;
    });
    private final List<Run> runs = new ArrayList<>();

    record Run(long startedAtNanos, int keys, int updated, int inserted, double millis) {}

    Phase1Sync(BenchServers servers) {
        this.servers = servers;
    }

    /** Runs at every whole multiple of the interval since the epoch, as the app's cron does. */
    void start(long intervalMillis) {
        long delay = intervalMillis - System.currentTimeMillis() % intervalMillis;
        timer.scheduleAtFixedRate(this::runOnce, delay, intervalMillis, TimeUnit.MILLISECONDS);
    }

    synchronized List<Run> runs() {
        return List.copyOf(runs);
    }

    private void runOnce() {
        long start = System.nanoTime();
        try (Jedis redis = new Jedis(servers.redisHost(), servers.redisPort());
                Connection db = servers.connect()) {
            redis.select(servers.redisDatabase());
            Set<String> keys = redis.keys(servers.keyPrefix() + "prices:*");
            List<JsonNode> ticks = new ArrayList<>(keys.size());
            for (String key : keys) {
                String value = redis.get(key);
                if (value != null) {
                    ticks.add(json.readTree(value));
                }
            }
            db.setAutoCommit(false);
            int updated = 0;
            int inserted = 0;
            try (PreparedStatement update = db.prepareStatement(UPDATE);
                    PreparedStatement insert = db.prepareStatement(INSERT)) {
                for (JsonNode tick : ticks) {
                    Timestamp at = new Timestamp(tick.path("receivedAt").asLong());
                    BigDecimal priceSol = decimal(tick, "priceSol");
                    update.setBigDecimal(1, priceSol);
                    update.setBigDecimal(2, decimal(tick, "priceUsd"));
                    update.setBigDecimal(3, priceSol);
                    setDecimal(update, 4, decimal(tick, "vSol"));
                    setDecimal(update, 5, decimal(tick, "vTokens"));
                    update.setTimestamp(6, at);
                    update.setLong(7, tick.path("seq").asLong());
                    update.setString(8, tick.path("mint").asText());
                    if (update.executeUpdate() == 1) {
                        updated++;
                        continue;
                    }
                    insert.setString(1, tick.path("mint").asText());
                    insert.setBigDecimal(2, priceSol);
                    insert.setBigDecimal(3, decimal(tick, "priceUsd"));
                    insert.setBigDecimal(4, priceSol);
                    setDecimal(insert, 5, decimal(tick, "vSol"));
                    setDecimal(insert, 6, decimal(tick, "vTokens"));
                    insert.setTimestamp(7, at);
                    insert.setTimestamp(8, at);
                    insert.setLong(9, tick.path("seq").asLong());
                    inserted += insert.executeUpdate();
                }
            }
            db.commit();
            Run run = new Run(start, ticks.size(), updated, inserted, (System.nanoTime() - start) / 1e6);
            synchronized (this) {
                runs.add(run);
            }
            System.out.printf("[phase1] %d keys: %d UPDATE, %d INSERT in %.0f ms%n", run.keys(), updated, inserted,
                    run.millis());
        } catch (Exception e) {
            System.out.println("Phase 1 sync failed: " + e);
        }
    }

    private static BigDecimal decimal(JsonNode tick, String field) {
        JsonNode node = tick.get(field);
        return node == null || node.isNull() ? null : new BigDecimal(node.asText());
    }

    private static void setDecimal(PreparedStatement ps, int index, BigDecimal value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.NUMERIC);
        } else {
            ps.setBigDecimal(index, value);
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(60, TimeUnit.SECONDS);
    }
}
