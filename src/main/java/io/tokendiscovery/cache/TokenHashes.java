package io.tokendiscovery.cache;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/** Reads many tokens' hashes in one pipelined round trip (the sync's snapshot, the API's feeds). */
@Component
public class TokenHashes {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    public TokenHashes(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** @return one mutable map per mint, in order; empty when the token is not in Redis */
    @SuppressWarnings("unchecked")
    public List<Map<String, String>> read(List<String> mints) {
        if (mints.isEmpty()) {
            return List.of();
        }
        List<Object> results = redis.executePipelined((RedisCallback<Object>) (RedisConnection connection) -> {
            for (String mint : mints) {
                connection.hashCommands().hGetAll(keys.token(mint).getBytes(StandardCharsets.UTF_8));
            }
            return null;
        });
        List<Map<String, String>> hashes = new ArrayList<>(results.size());
        for (Object result : results) {
            hashes.add(result == null ? new HashMap<>() : new HashMap<>((Map<String, String>) result));
        }
        return hashes;
    }
}
