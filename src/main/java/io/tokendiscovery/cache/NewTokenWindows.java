package io.tokendiscovery.cache;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.data.redis.core.DefaultTypedTuple;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.stereotype.Component;

/**
 * The shared half of the trade subscription set: the sorted set {@link RedisKeys#newTokenWindows()} holds every new
 * token still inside its new-token trade window, scored by the window's end (epoch ms), and the set
 * {@link RedisKeys#watched()} the watched mints. Whichever replica takes the feed rebuilds its subscriptions from
 * here, not from its own memory (docs/pumpportal-client.md#subscriptions).
 */
@Component("newTokenWindows")
public class NewTokenWindows {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    public NewTokenWindows(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** One ZADD of every mint with its window end (ms): one command, one round trip. */
    public void add(Map<String, Long> windowEnds) {
        if (windowEnds.isEmpty()) {
            return;
        }
        Set<TypedTuple<String>> members = new HashSet<>(windowEnds.size() * 2);
        windowEnds.forEach((mint, end) -> members.add(new DefaultTypedTuple<>(mint, end.doubleValue())));
        redis.opsForZSet().add(keys.newTokenWindows(), members);
    }

    /** Removes the mints whose window ended at or before {@code nowMillis}. @return how many */
    public long removeEnded(long nowMillis) {
        Long removed = redis.opsForZSet().removeRangeByScore(keys.newTokenWindows(), Double.NEGATIVE_INFINITY,
                nowMillis);
        return removed == null ? 0 : removed;
    }

    /** Mints whose window ends after {@code nowMillis}, with that end (ms). */
    public Map<String, Long> open(long nowMillis) {
        Set<TypedTuple<String>> members = redis.opsForZSet().rangeByScoreWithScores(keys.newTokenWindows(),
                nowMillis + 1, Double.POSITIVE_INFINITY);
        Map<String, Long> open = new LinkedHashMap<>();
        if (members != null) {
            for (TypedTuple<String> member : members) {
                if (member.getValue() != null && member.getScore() != null) {
                    open.put(member.getValue(), member.getScore().longValue());
                }
            }
        }
        return open;
    }

    /** The watched mints, as the last watch-list sync (of any replica) left them. */
    public Set<String> watched() {
        Set<String> watched = redis.opsForSet().members(keys.watched());
        return watched == null ? Set.of() : watched;
    }
}
