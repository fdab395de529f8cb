package io.tokendiscovery.feed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.HotScoreMath;
import io.tokendiscovery.cache.RedisKeys;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.stereotype.Component;

/**
 * The hot-score job's computation: every token of the hot feed with its decayed score now, as the JSON parameter
 * of {@code routes/sql/update-hot-scores.sql} (one statement per run, rewriting only scores that moved by more than
 * {@code tokendiscovery.hot.min-change}).
 */
@Component("hotScores")
public class HotScores {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final ObjectMapper json;
    private final Clock clock;
    private final HotScoreMath math;
    private final double minChange;

    public HotScores(StringRedisTemplate redis, RedisKeys keys, ObjectMapper json, Clock clock,
            TokenDiscoveryProperties properties) {
        this.redis = redis;
        this.keys = keys;
        this.json = json;
        this.clock = clock;
        this.math = new HotScoreMath(properties.hot().halfLife());
        this.minChange = properties.hot().minChange();
    }

    /** @return named parameters: {@code scores} (JSON array of {mint, score}), {@code minChange}, {@code tokens} */
    public Map<String, Object> snapshot() {
        long now = clock.millis();
        Set<TypedTuple<String>> feed = redis.opsForZSet().rangeWithScores(keys.hotFeed(), 0, -1);
        List<Map<String, Object>> scores = new ArrayList<>();
        if (feed != null) {
            for (TypedTuple<String> entry : feed) {
                if (entry.getScore() == null) {
                    continue;
                }
                BigDecimal score = BigDecimal.valueOf(math.scoreAt(entry.getScore(), now)).setScale(6, RoundingMode.HALF_UP);
                scores.add(Map.of("mint", entry.getValue(), "score", score));
            }
        }
        Map<String, Object> params = new LinkedHashMap<>();
        try {
            params.put("scores", json.writeValueAsString(scores));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        params.put("minChange", minChange);
        params.put("tokens", scores.size());
        return params;
    }
}
