package io.tokendiscovery.api;

import io.tokendiscovery.SqlStatements;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.HotScoreMath;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.cache.TokenHashes;
import io.tokendiscovery.ops.DependencyProbes;
import io.tokendiscovery.ops.DependencyProbes.Dependency;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The API's reads, Redis first: feeds from the sorted sets, a token from its live hash, else from the page cache,
 * else from PostgreSQL (then cached for {@code tokendiscovery.api.token-cache-ttl}); recent trades from the capped
 * list. The {@code X-Token-Source} response header says where a token came from (redis, cache, database).
 *
 * <p>Only a cold token (neither live nor cached) needs PostgreSQL. While PostgreSQL is unreachable such a page answers
 * 503 problem JSON (at once when the last {@link DependencyProbes} check failed, otherwise after the pool wait), and
 * everything Redis holds keeps answering: feeds, live tokens, cached pages, trades.
 */
@Component("tokenReads")
public class TokenReads {

    public static final String SOURCE_HEADER = "X-Token-Source";

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final TokenHashes tokenHashes;
    private final NamedParameterJdbcTemplate jdbc;
    private final SqlStatements sql;
    private final ObjectMapper json;
    private final Clock clock;
    private final HotScoreMath hot;
    private final Duration cacheTtl;
    private final DependencyProbes probes;

    public TokenReads(StringRedisTemplate redis, RedisKeys keys, TokenHashes tokenHashes,
            NamedParameterJdbcTemplate jdbc, SqlStatements sql, ObjectMapper json, Clock clock,
            TokenDiscoveryProperties properties, DependencyProbes probes) {
        this.sql = sql;
        this.probes = probes;
        this.redis = redis;
        this.keys = keys;
        this.tokenHashes = tokenHashes;
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.hot = new HotScoreMath(properties.hot().halfLife());
        this.cacheTtl = properties.api().tokenCacheTtl();
    }

    /** @param feed hot, new or graduating; highest score first */
    public List<Map<String, Object>> feed(@Header("feed") String feed, @Header("limit") int limit) {
        String key = switch (feed) {
            case "hot" -> keys.hotFeed();
            case "new" -> keys.newFeed();
            case "graduating" -> keys.graduatingFeed();
            default -> throw new ApiProblem(404, "Unknown feed", "feeds are hot, new and graduating");
        };
        Set<String> mints = redis.opsForZSet().reverseRange(key, 0, limit - 1L);
        List<Map<String, Object>> tokens = new ArrayList<>();
        if (mints == null || mints.isEmpty()) {
            return tokens;
        }
        List<String> ordered = new ArrayList<>(mints);
        List<Map<String, String>> hashes = tokenHashes.read(ordered);
        for (int i = 0; i < ordered.size(); i++) {
            Map<String, String> hash = hashes.get(i);
            if (!hash.isEmpty()) {
                hash.putIfAbsent("mint", ordered.get(i));
                tokens.add(TokenViews.fromRedis(hash, hot, clock));
            } else {
                // the token's data expired after it was committed; its feed entry goes too
                redis.opsForZSet().remove(key, ordered.get(i));
            }
        }
        return tokens;
    }

    public Map<String, Object> token(@Header("mint") String mint, Exchange exchange) throws JsonProcessingException {
        Map<Object, Object> live = redis.opsForHash().entries(keys.token(mint));
        if (!live.isEmpty()) {
            exchange.getMessage().setHeader(SOURCE_HEADER, "redis");
            Map<String, String> hash = new java.util.HashMap<>();
            live.forEach((k, v) -> hash.put(String.valueOf(k), String.valueOf(v)));
            hash.putIfAbsent("mint", mint);
            return TokenViews.fromRedis(hash, hot, clock);
        }
        String cached = redis.opsForValue().get(keys.tokenPageCache(mint));
        if (cached != null) {
            exchange.getMessage().setHeader(SOURCE_HEADER, "cache");
            return json.readValue(cached, new TypeReference<>() {});
        }
        if (!probes.mayBeUp(Dependency.POSTGRES)) {
            throw databaseUnavailable(mint);
        }
        List<Map<String, Object>> rows;
        try {
            rows = jdbc.queryForList(sql.named("select-token.sql"), Map.of("mint", mint));
        } catch (TransientDataAccessException | DataAccessResourceFailureException | RecoverableDataAccessException e) {
            throw databaseUnavailable(mint);
        }
        if (rows.isEmpty()) {
            throw new ApiProblem(404, "Unknown token", "no token with mint " + mint);
        }
        Map<String, Object> view = TokenViews.fromRow(rows.get(0));
        redis.opsForValue().set(keys.tokenPageCache(mint), json.writeValueAsString(view), cacheTtl);
        exchange.getMessage().setHeader(SOURCE_HEADER, "database");
        return view;
    }

    private static ApiProblem databaseUnavailable(String mint) {
        return new ApiProblem(503, "Database unavailable", "token " + mint + " is not in Redis and PostgreSQL cannot "
                + "be reached right now; the feeds and live tokens still answer. Try again later");
    }

    /** Newest first, as JSON objects. */
    public List<Object> trades(@Header("mint") String mint, @Header("limit") int limit) throws JsonProcessingException {
        List<String> entries = redis.opsForList().range(keys.trades(mint), 0, limit - 1L);
        List<Object> trades = new ArrayList<>();
        if (entries != null) {
            for (String entry : entries) {
                trades.add(json.readTree(entry));
            }
        }
        return trades;
    }
}
