package io.tokendiscovery.cache;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Keeps watched tokens in Redis: replaces the {@code watched} set with the current {@code token_watch} mints and
 * removes the TTL of their data, so the sync's acknowledgement (which skips watched mints) never lets them expire. A
 * watched token whose hash had already expired is rebuilt from its retained state and marked dirty, so its row is
 * written with its full totals ({@code redis/restore-retained-token.lua}).
 */
@Component("watchedTokens")
public class WatchedTokens {

    private static final RedisScript<Long> RESTORE =
            RedisScript.of(new ClassPathResource("redis/restore-retained-token.lua"), Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final byte[] restore = RESTORE.getScriptAsString().getBytes(StandardCharsets.UTF_8);

    public WatchedTokens(StringRedisTemplate redis, RedisKeys keys, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
    }

    /** @param rows rows of {@code select-watched-mints.sql} (column {@code mint}) */
    public void replace(List<Map<String, Object>> rows) {
        byte[] set = bytes(keys.watched());
        byte[] now = bytes(Long.toString(clock.millis()));
        redis.executePipelined((RedisCallback<Object>) (RedisConnection connection) -> {
            connection.keyCommands().del(set);
            for (Map<String, Object> row : rows) {
                String mint = String.valueOf(row.get("mint"));
                connection.setCommands().sAdd(set, bytes(mint));
                connection.scriptingCommands().eval(restore, ReturnType.INTEGER, 3, bytes(keys.token(mint)),
                        bytes(keys.retained(mint)), bytes(keys.dirty()), now, bytes(mint));
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
