package io.tokendiscovery.cache;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.DecoratedRedisConnection;
import org.springframework.data.redis.connection.RedisConnection;

/**
 * Spring's pipelines flush and convert per command; the hot paths instead write many commands to a Lettuce
 * connection with ONE {@code dispatch} (one flush) and decode the replies themselves: the ingest's script calls on the
 * shared connection ({@code redis.execute}), the sync's read on a dedicated one ({@code redis.executePipelined}).
 * This finds the Lettuce connection behind the {@link RedisConnection} Spring hands the callback.
 */
final class LettuceBatch {

    /** How long one reply may take before the call counts as failed. */
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

    private LettuceBatch() {}

    /**
     * One reply, within {@link #REPLY_TIMEOUT}.
     *
     * @param failed what an error of the call itself (the cause of the {@link ExecutionException}) is thrown as
     */
    static <T> T await(Future<T> reply, Function<Throwable, RuntimeException> failed) {
        try {
            return reply.get(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failed.apply(e.getCause());
        } catch (TimeoutException e) {
            throw new RedisSystemException("No reply from Redis within " + REPLY_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisSystemException("Interrupted while waiting for Redis", e);
        }
    }

    /** The Lettuce async API of the connection Spring hands a callback (shared, or dedicated in pipeline mode). */
    @SuppressWarnings("unchecked")
    static RedisClusterAsyncCommands<byte[], byte[]> asyncOf(RedisConnection connection) {
        // StringRedisTemplate hands callbacks a String-converting decorator, which in pipeline mode queues the result
        // of getNativeConnection() instead of returning it: ask the Lettuce connection underneath.
        RedisConnection lettuce = connection instanceof DecoratedRedisConnection decorated
                ? decorated.getDelegate() : connection;
        return (RedisClusterAsyncCommands<byte[], byte[]>) lettuce.getNativeConnection();
    }

    static StatefulConnection<byte[], byte[]> statefulOf(RedisConnection connection) {
        RedisClusterAsyncCommands<byte[], byte[]> async = asyncOf(connection);
        if (async instanceof RedisAsyncCommands<byte[], byte[]> standalone) {
            return standalone.getStatefulConnection();
        }
        if (async instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
            return cluster.getStatefulConnection();
        }
        throw new IllegalStateException("Unsupported Redis connection: " + async.getClass().getName());
    }
}
