package io.tokendiscovery.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Applies a {@link TokenUpdate} to Redis and marks the token dirty, in ONE Lua script call: the write and the dirty
 * mark cannot be separated by a crash, a duplicate signature is dropped, and an older frame can never overwrite a
 * newer price (receive-sequence guard). No database access here: this is the ingest path.
 */
@Component("tokenStore")
public class TokenStore {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final RedisScript<Long> script =
            RedisScript.of(new ClassPathResource("redis/apply-token-update.lua"), Long.class);
    private final String dedupTtlSeconds;
    private final HotScoreMath hot;
    private final String feedSize;
    private final String tradesKept;
    private final Counter duplicates;
    private final Counter stale;

    public TokenStore(StringRedisTemplate redis, RedisKeys keys, TokenDiscoveryProperties properties,
            MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.hot = new HotScoreMath(properties.hot().halfLife());
        this.feedSize = Integer.toString(properties.hot().feedSize());
        this.tradesKept = Integer.toString(properties.redis().recentTrades());
        this.dedupTtlSeconds = Long.toString(Math.max(1, properties.ingest().signatureDedupTtl().toSeconds()));
        this.duplicates = Counter.builder("tokendiscovery.ingest.duplicates")
                .description("Trades dropped because their signature was already applied")
                .register(meters);
        this.stale = Counter.builder("tokendiscovery.ingest.out.of.order")
                .description("Changes applied without touching the latest price because a newer frame was already applied")
                .register(meters);
    }

    /** @return the outcome, also counted: DUPLICATE, APPLIED (counters only), or NEWEST */
    public Outcome applyAndMarkDirty(TokenUpdate update) {
        List<String> args = new ArrayList<>(16 + 2 * (update.latest().size() + update.always().size()
                + update.once().size() + update.increments().size() + update.floatIncrements().size()));
        boolean dedup = update.signature() != null;
        args.add(Long.toString(update.seq()));
        args.add(Long.toString(update.receivedAtMillis()));
        args.add(dedup ? dedupTtlSeconds : "0");
        args.add(update.mint());
        args.add(update.tick() == null ? "" : update.tick());
        addGroup(args, update.latest());
        addGroup(args, update.always());
        addGroup(args, update.once());
        addGroup(args, update.increments());
        addGroup(args, update.floatIncrements());
        TokenUpdate.Feeds feeds = update.feeds();
        args.add(Double.toString(feeds.hotWeight()));
        args.add(Double.toString(hot.exponent(update.receivedAtMillis())));
        args.add(feeds.newFeedScore() == null ? "" : feeds.newFeedScore().toString());
        args.add(feeds.progress() == null ? "" : feeds.progress());
        args.add(feedSize);
        args.add(feeds.tradeJson() == null ? "" : feeds.tradeJson());
        args.add(tradesKept);
        List<String> scriptKeys = List.of(
                keys.token(update.mint()),
                keys.priceTick(update.mint()),
                keys.dirty(),
                dedup ? keys.signature(update.signature() + ":" + update.mint()) : keys.signature("-"),
                keys.hotFeed(),
                keys.newFeed(),
                keys.graduatingFeed(),
                keys.trades(update.mint()));
        Long result = redis.execute(script, scriptKeys, args.toArray());
        Outcome outcome = result == null || result == 0 ? Outcome.DUPLICATE : result == 1 ? Outcome.APPLIED : Outcome.NEWEST;
        if (outcome == Outcome.DUPLICATE) {
            duplicates.increment();
        } else if (outcome == Outcome.APPLIED && update.tick() != null) {
            stale.increment();
        }
        return outcome;
    }

    private static void addGroup(List<String> args, Map<String, ?> fields) {
        args.add(Integer.toString(fields.size()));
        fields.forEach((field, value) -> {
            args.add(field);
            args.add(value.toString());
        });
    }

    public enum Outcome {
        DUPLICATE,
        APPLIED,
        NEWEST
    }
}
