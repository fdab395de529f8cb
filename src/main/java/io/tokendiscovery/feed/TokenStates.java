package io.tokendiscovery.feed;

import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.cache.TokenStore;
import io.tokendiscovery.cache.TokenUpdate;
import io.tokendiscovery.ingest.ReceiveClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The market-data job's state step: evaluates {@link TokenState} for every token in Redis (SCAN, pipelined reads)
 * and writes each change through the ingest's own Lua script, so it is marked dirty and reaches PostgreSQL with
 * the next write-behind sync. Tokens no longer in Redis are handled by {@code routes/sql/mark-stale-tokens.sql}.
 */
@Component("tokenStates")
public class TokenStates {

    private static final String[] FIELDS = {"state", "bonding_progress", "trade_count", "last_trade_ts", "first_seen_at"};

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final TokenStore store;
    private final Clock clock;
    private final TokenState.Rules rules;
    private final ReceiveClock sequence;

    public TokenStates(StringRedisTemplate redis, RedisKeys keys, TokenStore store, Clock clock,
            TokenDiscoveryProperties properties) {
        this.redis = redis;
        this.keys = keys;
        this.store = store;
        this.clock = clock;
        this.sequence = new ReceiveClock(clock);
        TokenDiscoveryProperties.States states = properties.states();
        this.rules = new TokenState.Rules(states.graduatingProgress(), states.activeMinTrades(),
                states.staleAfter().toMillis());
    }

    /** @return transitions by new state, for the log line */
    public Map<TokenState, Integer> evaluate() {
        long now = clock.millis();
        Map<TokenState, Integer> transitions = new EnumMap<>(TokenState.class);
        List<String> batch = new ArrayList<>(1000);
        String prefix = keys.token("");
        try (Cursor<String> cursor = redis.scan(ScanOptions.scanOptions().match(prefix + "*").count(1000).build())) {
            while (cursor.hasNext()) {
                batch.add(cursor.next());
                if (batch.size() == 1000) {
                    evaluate(batch, prefix, now, transitions);
                    batch.clear();
                }
            }
        }
        evaluate(batch, prefix, now, transitions);
        return transitions;
    }

    /** Named parameters of mark-stale-tokens.sql: the same rule for tokens only PostgreSQL still has. */
    public Map<String, Object> staleParameters() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("nowMs", clock.millis());
        params.put("staleAfterSeconds", rules.staleAfterMillis() / 1000);
        params.put("graduatingProgress", rules.graduatingProgress());
        return params;
    }

    @SuppressWarnings("unchecked")
    private void evaluate(List<String> tokenKeys, String prefix, long now, Map<TokenState, Integer> transitions) {
        if (tokenKeys.isEmpty()) {
            return;
        }
        List<Object> values = redis.executePipelined((RedisCallback<Object>) (RedisConnection connection) -> {
            byte[][] fields = new byte[FIELDS.length][];
            for (int i = 0; i < FIELDS.length; i++) {
                fields[i] = FIELDS[i].getBytes(StandardCharsets.UTF_8);
            }
            for (String key : tokenKeys) {
                connection.hashCommands().hMGet(key.getBytes(StandardCharsets.UTF_8), fields);
            }
            return null;
        });
        for (int i = 0; i < tokenKeys.size(); i++) {
            List<String> v = (List<String>) values.get(i);
            if (v == null || v.get(0) == null) {
                continue; // expired between SCAN and read
            }
            Long lastTrade = v.get(3) != null ? Long.valueOf(v.get(3)) : v.get(4) != null ? Long.valueOf(v.get(4)) : null;
            TokenState next = TokenState.of(v.get(0), v.get(1) == null ? null : Double.valueOf(v.get(1)),
                    v.get(2) == null ? 0 : Long.parseLong(v.get(2)), lastTrade, now, rules);
            if (!next.name().equals(v.get(0))) {
                String mint = tokenKeys.get(i).substring(prefix.length());
                store.applyAndMarkDirty(TokenUpdate.builder(mint, null, sequence.next(), now)
                        .always("state", next.name())
                        .build());
                transitions.merge(next, 1, Integer::sum);
            }
        }
    }
}
