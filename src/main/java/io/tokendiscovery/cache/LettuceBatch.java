package io.tokendiscovery.cache;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.springframework.data.redis.connection.RedisConnection;

/**
 * Spring's pipelines flush and convert per command; the hot paths (the ingest's script calls, the sync's read)
 * instead write many commands to the shared Lettuce connection with ONE {@code dispatch} (one flush) and decode the
 * replies themselves. This finds that connection behind Spring's.
 */
final class LettuceBatch {

    private LettuceBatch() {}

    @SuppressWarnings("unchecked")
    static StatefulConnection<byte[], byte[]> statefulOf(RedisConnection connection) {
        RedisClusterAsyncCommands<byte[], byte[]> async =
                (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
        if (async instanceof RedisAsyncCommands<byte[], byte[]> standalone) {
            return standalone.getStatefulConnection();
        }
        if (async instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
            return cluster.getStatefulConnection();
        }
        throw new IllegalStateException("Unsupported Redis connection: " + async.getClass().getName());
    }
}
