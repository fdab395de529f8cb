package io.tokendiscovery.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokendiscovery.TestProperties;
import io.tokendiscovery.devservices.EmbeddedRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The sync's read ({@link TokenHashes#readFields}) against a real (embedded) Redis: values in the order asked, null
 * for what is absent, rows in the order of the mints however many there are, over a connection of its own, and a
 * refused call reported without breaking the connections.
 */
class TokenHashesTest {

    private static EmbeddedRedis server;
    private static LettuceConnectionFactory factory;
    private static StringRedisTemplate redis;
    private static TokenHashes hashes;
    private static RedisKeys keys;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("token-hashes-test");
        server = EmbeddedRedis.start(dir);
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", server.port()));
        factory.afterPropertiesSet();
        factory.start();
        redis = new StringRedisTemplate(factory);
        keys = new RedisKeys(TestProperties.defaults());
        hashes = new TokenHashes(redis, keys);
    }

    @AfterAll
    static void stop() {
        factory.destroy();
        server.close();
    }

    @Test
    void readsTheAskedFieldsInOrderWithNullForWhatIsAbsent() {
        redis.opsForHash().putAll(keys.token("M1"), Map.of("version", "3", "price_sol", "0.000000123", "name",
                "Robert'); DROP TABLE token_discovery;--", "symbol", "日本"));

        List<String[]> rows = hashes.readFields(List.of("M1", "GONE"), List.of("name", "price_sol", "pool", "version",
                "symbol"));

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsExactly("Robert'); DROP TABLE token_discovery;--", "0.000000123", null, "3",
                "日本");
        assertThat(rows.get(1)).containsExactly(null, null, null, null, null);
    }

    @Test
    void keepsTheOrderOfManyMints() {
        List<String> mints = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            String mint = "ORDER" + i;
            mints.add(mint);
            redis.opsForHash().put(keys.token(mint), "version", Integer.toString(i));
        }

        List<String[]> rows = hashes.readFields(mints, List.of("version"));

        assertThat(rows).hasSize(5_000);
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i)[0]).isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void readsOverADedicatedConnectionNotTheSharedOneTheIngestWritesOn() {
        redis.opsForHash().put(keys.token("DEDICATED"), "version", "1");
        long before = connectionsReceived();

        assertThat(hashes.readFields(List.of("DEDICATED"), List.of("version")).get(0)).containsExactly("1");

        assertThat(connectionsReceived()).isEqualTo(before + 1);
    }

    /** Redis's count of accepted connections, asked on the shared connection. */
    private static long connectionsReceived() {
        Properties stats = redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info("stats"));
        return Long.parseLong(stats.getProperty("total_connections_received"));
    }

    @Test
    void aKeyThatIsNotAHashFailsTheReadNamingTheTokenAndLeavesTheConnectionUsable() {
        redis.opsForValue().set(keys.token("WRONG"), "not a hash");
        redis.opsForHash().put(keys.token("FINE"), "version", "1");

        assertThatThrownBy(() -> hashes.readFields(List.of("FINE", "WRONG"), List.of("version")))
                .isInstanceOf(RedisSystemException.class)
                .hasMessageContaining("WRONG")
                .hasMessageContaining("WRONGTYPE");
        assertThat(hashes.readFields(List.of("FINE"), List.of("version")).get(0)).containsExactly("1");
    }
}
