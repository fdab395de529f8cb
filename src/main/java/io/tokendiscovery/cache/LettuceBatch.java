package io.tokendiscovery.cache;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.springframework.data.redis.connection.DecoratedRedisConnection;
import org.springframework.data.redis.connection.RedisConnection;

/**
 * Spring's pipelines flush and convert per command; the hot paths instead write many commands to a Lettuce
 * connection with ONE {@code dispatch} (one flush) and decode the replies themselves: the ingest's script calls on the
 * shared connection ({@code redis.execute}), the sync's read on a dedicated one ({@code redis.executePipelined}).
 * This finds the Lettuce connection behind the {@link RedisConnection} Spring hands the callback.
 */
final class LettuceBatch {

    private LettuceBatch() {}

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
