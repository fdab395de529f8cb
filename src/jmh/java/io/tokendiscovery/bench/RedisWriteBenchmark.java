package io.tokendiscovery.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TestProperties;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.cache.TokenHashes;
import io.tokendiscovery.cache.TokenStore;
import io.tokendiscovery.cache.TokenUpdate;
import io.tokendiscovery.ingest.FeedEvent;
import io.tokendiscovery.ingest.FrameParser;
import io.tokendiscovery.ingest.SolUsdRate;
import io.tokendiscovery.ingest.TokenPricing;
import io.tokendiscovery.sync.TokenSnapshots;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * The Redis side of the hot path against an embedded redis-server 6.2 on loopback (no AOF): one change written
 * alone ({@code TokenStore.applyAndMarkDirty}, one Lua call, one round trip), a batch of 500 changes as the ingest
 * writes a burst ({@code TokenStore.applyAll}, 500 Lua calls pipelined; divide by 500 for the cost per change), and
 * the reads of 1,000 token hashes: the API's (HGETALL in Spring's pipeline, {@code TokenHashes.read}) and the sync's
 * (HMGET of the upsert's 23 fields, one flush, {@code TokenHashes.readFields}). Round trips
 * included; a real Redis on another host adds its network. {@code -jvmArgsAppend -Dbench.redis=host:port/db} runs
 * against an existing server instead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RedisWriteBenchmark {

    private static final int UPDATES = 65_536;

    private RedisServer server;
    private LettuceConnectionFactory factory;
    private TokenStore store;
    private TokenHashes hashes;
    private List<TokenUpdate> updates;
    private List<String> batchMints;
    private int next;
    private String keyPattern;

    @Setup
    public void setUp() throws Exception {
        // -jvmArgsAppend -Dbench.redis=127.0.0.1:6379/15 : an existing Redis (own DB index and key prefix, deleted
        // at the end) instead of the embedded 6.2, to compare servers
        String external = System.getProperty("bench.redis", "");
        String prefix = "td:";
        if (external.isBlank()) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path dir = Files.createDirectories(Path.of("target", "jmh-redis"));
            server = RedisServer.newRedisServer()
                    .executableProvider(ExecutableProvider.newJarResourceProvider(dir.toFile()))
                    .bind("127.0.0.1").port(port).setting("save \"\"").setting("appendonly no").build();
            server.start();
            factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
        } else {
            String[] hostPortDb = external.split("[:/]");
            RedisStandaloneConfiguration config =
                    new RedisStandaloneConfiguration(hostPortDb[0], Integer.parseInt(hostPortDb[1]));
            config.setDatabase(hostPortDb.length > 2 ? Integer.parseInt(hostPortDb[2]) : 0);
            factory = new LettuceConnectionFactory(config);
            prefix = "{jmh" + ProcessHandle.current().pid() + "}:";
        }
        factory.afterPropertiesSet();
        factory.start();
        StringRedisTemplate redis = new StringRedisTemplate(factory);
        // a signature is remembered 1 s: the 65,536 updates take longer than that to come round again
        TokenDiscoveryProperties props = TestProperties.with(Map.of("tokendiscovery.ingest.signature-dedup-ttl", "1s",
                "tokendiscovery.redis.key-prefix", prefix));
        keyPattern = prefix + "*";
        RedisKeys keys = new RedisKeys(props);
        store = new TokenStore(redis, keys, props, new SimpleMeterRegistry());
        hashes = new TokenHashes(redis, keys);
        FrameParser parser = new FrameParser(new ObjectMapper(), props, new SimpleMeterRegistry());
        TokenPricing pricing = new TokenPricing(new SolUsdRate(props), props);
        updates = new ArrayList<>(UPDATES);
        long seq = 1;
        for (String json : MarketFrames.trades(UPDATES)) {
            updates.add(pricing.trade((FeedEvent.TokenTraded) parser.parse(json, seq++, System.currentTimeMillis(), null)));
        }
        List<String> mints = updates.stream().map(TokenUpdate::mint).distinct().toList();
        for (TokenUpdate update : updates) {
            store.applyAndMarkDirty(update);
        }
        batchMints = new ArrayList<>(1000);
        for (int i = 0; i < 1000; i++) {
            batchMints.add(mints.get(i % mints.size()));
        }
    }

    @Benchmark
    public TokenStore.Outcome applyAndMarkDirty() {
        return store.applyAndMarkDirty(updates.get(next++ & (UPDATES - 1)));
    }

    @Benchmark
    public List<TokenStore.Outcome> applyBatchOf500() {
        int from = next & (UPDATES - 1) & ~511;
        next += 512;
        return store.applyAll(updates.subList(from, from + 500));
    }

    @Benchmark
    public List<Map<String, String>> readBatchOf1000() {
        return hashes.read(batchMints);
    }

    @Benchmark
    public List<String[]> readFieldsOf1000() {
        return hashes.readFields(batchMints, TokenSnapshots.FIELDS);
    }

    @TearDown
    public void tearDown() throws Exception {
        if (server != null) {
            server.stop();
        } else {
            StringRedisTemplate redis = new StringRedisTemplate(factory);
            try (var cursor = redis.scan(org.springframework.data.redis.core.ScanOptions.scanOptions()
                    .match(keyPattern).count(1000).build())) {
                List<String> batch = new ArrayList<>();
                cursor.forEachRemaining(batch::add);
                for (int from = 0; from < batch.size(); from += 1000) {
                    redis.delete(batch.subList(from, Math.min(batch.size(), from + 1000)));
                }
            }
        }
        factory.destroy();
    }
}
