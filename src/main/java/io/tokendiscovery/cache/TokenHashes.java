package io.tokendiscovery.cache;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/** Reads many tokens' hashes in one round trip (the sync's snapshot, the API's feeds). */
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

    /**
     * The named fields of many tokens' hashes: one {@code HMGET} per token, all written in one flush, the replies
     * decoded straight into arrays (no map per token). The sync reads 100,000 tokens this way; Spring's pipeline
     * with {@code HGETALL} built three maps per token and read fields the upsert does not need. The calls go over a
     * dedicated connection (Spring's pipeline mode opens one), not the shared one the ingest writes on: Redis serves
     * its clients in turns, so the ingest's scripts are not queued behind 100,000 replies.
     *
     * @return one row per mint, in order, with the values in the order of {@code fields}; null where the field (or
     *     the whole hash) is absent
     * @throws RedisSystemException when Redis failed, refused a call (a key that is not a hash), or did not answer
     */
    public List<String[]> readFields(List<String> mints, List<String> fields) {
        if (mints.isEmpty()) {
            return List.of();
        }
        byte[][] names = new byte[fields.size()][];
        for (int i = 0; i < names.length; i++) {
            names[i] = fields.get(i).getBytes(StandardCharsets.UTF_8);
        }
        List<String[]> rows = new ArrayList<>(mints.size());
        redis.executePipelined((RedisCallback<Object>) connection -> {
            List<AsyncCommand<byte[], byte[], String[]>> commands = new ArrayList<>(mints.size());
            for (String mint : mints) {
                CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE)
                        .addKey(keys.token(mint).getBytes(StandardCharsets.UTF_8));
                for (byte[] name : names) {
                    args.add(name);
                }
                commands.add(new AsyncCommand<>(new Command<>(CommandType.HMGET, new Values(names.length), args)));
            }
            // In pipeline mode the native connection is the dedicated one; the replies are awaited before Spring
            // closes it. Spring's own pipeline holds none of these commands, so it returns nothing.
            LettuceBatch.statefulOf(connection).dispatch(commands);
            for (int i = 0; i < commands.size(); i++) {
                String mint = mints.get(i);
                rows.add(LettuceBatch.await(commands.get(i), cause -> new RedisSystemException(
                        "Reading the hash of token " + mint + " failed: " + cause.getMessage(), cause)));
            }
            return null;
        });
        return rows;
    }

    /** An HMGET reply decoded as UTF-8 into an array of the requested size. */
    private static final class Values extends CommandOutput<byte[], byte[], String[]> {

        private int next;

        Values(int size) {
            super(ByteArrayCodec.INSTANCE, new String[size]);
        }

        @Override
        public void set(ByteBuffer bytes) {
            if (next < output.length && bytes != null) {
                byte[] raw = new byte[bytes.remaining()];
                bytes.get(raw);
                output[next] = new String(raw, StandardCharsets.UTF_8);
            }
            next++;
        }
    }
}
