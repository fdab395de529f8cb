package io.tokendiscovery.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Applies {@link TokenUpdate}s to Redis and marks the tokens dirty, ONE Lua script call per update: the write and the
 * dirty mark cannot be separated by a crash, a duplicate signature is dropped, and an older frame can never overwrite
 * a newer price (receive-sequence guard). No database access here: this is the ingest path.
 *
 * <p>A batch is pipelined: every script call of the batch is sent on the shared connection without waiting for the
 * previous reply, written to the socket in one go (one flush), then all replies are awaited, so a burst of N frames
 * costs one round trip instead of N. Redis runs the calls in the order they were sent (one connection), which is
 * receive order. Spring's {@code executePipelined} is not used because it opens a dedicated connection per call
 * without a pool; the shared connection's async API flushes per command, hence the batch dispatch.
 */
@Component("tokenStore")
public class TokenStore {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private static final Logger log = LoggerFactory.getLogger(TokenStore.class);

    private final RedisScript<Long> script =
            RedisScript.of(new ClassPathResource("redis/apply-token-update.lua"), Long.class);
    private final byte[] scriptText = script.getScriptAsString().getBytes(StandardCharsets.UTF_8);
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
        Outcome outcome = applyAll(List.of(update)).get(0);
        if (outcome == Outcome.REJECTED) {
            throw new RedisSystemException("Redis rejected the change of token " + update.mint() + " (logged above)", null);
        }
        return outcome;
    }

    /**
     * Applies the updates in order, pipelined (one round trip for the batch).
     *
     * @return one outcome per update, in order. {@link Outcome#REJECTED}: Redis answered that update's script with an
     *     error (a key of the wrong type, a value Redis refuses); logged here, the other updates are not affected
     * @throws RedisSystemException when Redis failed or did not answer in time; updates before the failure may have
     *     been applied, and applying them again is harmless for trades (their signature is already recorded)
     */
    public List<Outcome> applyAll(List<TokenUpdate> updates) {
        if (updates.isEmpty()) {
            return List.of();
        }
        List<Long> results = redis.execute((RedisCallback<List<Long>>) connection -> evalAll(connection, updates));
        if (results == null) {
            throw new RedisSystemException("No replies from Redis", null);
        }
        List<Outcome> outcomes = new ArrayList<>(updates.size());
        for (int i = 0; i < updates.size(); i++) {
            Long result = results.get(i);
            Outcome outcome = result == null ? Outcome.REJECTED
                    : result == 0 ? Outcome.DUPLICATE : result == 1 ? Outcome.APPLIED : Outcome.NEWEST;
            if (outcome == Outcome.DUPLICATE) {
                duplicates.increment();
            } else if (outcome == Outcome.APPLIED && updates.get(i).tick() != null) {
                stale.increment();
            }
            outcomes.add(outcome);
        }
        return outcomes;
    }

    private List<Long> evalAll(RedisConnection connection, List<TokenUpdate> updates) {
        RedisClusterAsyncCommands<byte[], byte[]> async = LettuceBatch.asyncOf(connection);
        StatefulConnection<byte[], byte[]> stateful = LettuceBatch.statefulOf(connection);
        List<byte[][]> keysOf = new ArrayList<>(updates.size());
        List<byte[][]> argsOf = new ArrayList<>(updates.size());
        for (TokenUpdate update : updates) {
            keysOf.add(scriptKeys(update));
            argsOf.add(scriptArgs(update));
        }
        List<RedisFuture<Long>> futures = dispatch(stateful, keysOf, argsOf, 0);
        List<Long> results = new ArrayList<>(updates.size());
        boolean reloaded = false;
        for (int i = 0; i < futures.size(); i++) {
            try {
                results.add(await(futures.get(i)));
            } catch (RedisRejectedException e) {
                log.warn("Redis rejected the change of token {}: {}", updates.get(i).mint(), e.getMessage());
                results.add(null);
            } catch (RedisNoScriptException e) {
                // Redis lost its script cache (restart, failover, SCRIPT FLUSH): the calls from here on were not run.
                // Load the script once and send them again, in order.
                if (reloaded) {
                    throw new RedisSystemException("Redis refused the token update script after loading it", e);
                }
                reloaded = true;
                await(async.scriptLoad(scriptText));
                List<RedisFuture<Long>> again = dispatch(stateful, keysOf, argsOf, i);
                for (int j = i; j < futures.size(); j++) {
                    futures.set(j, again.get(j - i));
                }
                i--;
            }
        }
        return results;
    }

    /**
     * Writes the script calls from index {@code from} on to the connection as ONE batch (one flush, one write to the
     * socket), not one flush per call.
     */
    private List<RedisFuture<Long>> dispatch(StatefulConnection<byte[], byte[]> connection, List<byte[][]> keysOf,
            List<byte[][]> argsOf, int from) {
        List<AsyncCommand<byte[], byte[], Long>> commands = new ArrayList<>(keysOf.size() - from);
        for (int j = from; j < keysOf.size(); j++) {
            byte[][] scriptKeys = keysOf.get(j);
            CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE)
                    .add(script.getSha1()).add(scriptKeys.length).addKeys(scriptKeys).addValues(argsOf.get(j));
            commands.add(new AsyncCommand<>(new Command<>(CommandType.EVALSHA,
                    new IntegerOutput<>(ByteArrayCodec.INSTANCE), args)));
        }
        connection.dispatch(commands);
        return new ArrayList<>(commands);
    }

    private static <T> T await(RedisFuture<T> future) {
        return LettuceBatch.await(future, cause -> {
            if (cause instanceof RedisNoScriptException noScript) {
                return noScript;
            }
            if (cause instanceof RedisCommandExecutionException reply) {
                // an error reply to this one call (WRONGTYPE, a script error): the connection and the batch are fine
                return new RedisRejectedException(reply.getMessage());
            }
            return new RedisSystemException("Token update script failed: " + cause.getMessage(), cause);
        });
    }

    private static final class RedisRejectedException extends RuntimeException {
        RedisRejectedException(String message) {
            super(message, null, false, false);
        }
    }

    private byte[][] scriptKeys(TokenUpdate update) {
        String dedup = keys.dedup(update);
        return new byte[][] {
                bytes(keys.token(update.mint())),
                bytes(keys.priceTick(update.mint())),
                bytes(keys.dirty()),
                bytes(dedup != null ? dedup : keys.signature("-")),
                bytes(keys.hotFeed()),
                bytes(keys.newFeed()),
                bytes(keys.graduatingFeed()),
                bytes(keys.trades(update.mint())),
                bytes(keys.retained(update.mint()))};
    }

    private byte[][] scriptArgs(TokenUpdate update) {
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
        byte[][] encoded = new byte[args.size()][];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = bytes(args.get(i));
        }
        return encoded;
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
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
        NEWEST,
        /** Redis answered with an error for this change alone (logged); the ingest dead-letters its frame. */
        REJECTED
    }
}
