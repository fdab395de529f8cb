package io.tokendiscovery.cache;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps watched tokens in Redis: replaces the {@code watched} set with the current {@code token_watch} mints and
 * removes the TTL of their data, so the sync's acknowledgement (which skips watched mints) never lets them expire.
 */
@Component("watchedTokens")
public class WatchedTokens {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    public WatchedTokens(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** @param rows rows of {@code select-watched-mints.sql} (column {@code mint}) */
    public void replace(List<Map<String, Object>> rows) {
        byte[] set = bytes(keys.watched());
        redis.executePipelined((RedisCallback<Object>) (RedisConnection connection) -> {
            connection.keyCommands().del(set);
            for (Map<String, Object> row : rows) {
                String mint = String.valueOf(row.get("mint"));
                connection.setCommands().sAdd(set, bytes(mint));
                connection.keyCommands().persist(bytes(keys.token(mint)));
                connection.keyCommands().persist(bytes(keys.priceTick(mint)));
                connection.keyCommands().persist(bytes(keys.trades(mint)));
            }
            return null;
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
