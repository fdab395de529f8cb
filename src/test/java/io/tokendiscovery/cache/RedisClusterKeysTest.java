package io.tokendiscovery.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokendiscovery.TestProperties;
import io.tokendiscovery.ingest.TestFrames;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Redis Cluster runs a Lua script only when all its keys are in one hash slot. With a hash-tagged prefix
 * ({@code tokendiscovery.redis.key-prefix: "{td}:"}, docs/operations.md#scaling-redis) every key the scripts touch
 * together lands in the same slot; with the default prefix they do not.
 */
class RedisClusterKeysTest {

    private static List<String> keysUsedTogether(RedisKeys keys, String mint) {
        // the ingest script's keys, the sync claim scripts' keys, the feeds and the dead letters
        return List.of(keys.token(mint), keys.priceTick(mint), keys.dirty(), keys.inFlight(), keys.inFlightOwners(),
                keys.signature("sig:" + mint), keys.hotFeed(), keys.newFeed(), keys.graduatingFeed(), keys.trades(mint),
                keys.watched(), keys.tokenPageCache(mint), keys.solUsdRate(), keys.deadLetters(), keys.lastSyncSuccess());
    }

    @Test
    void aHashTaggedPrefixPutsEveryKeyOfEveryScriptInOneSlot() {
        RedisKeys keys = new RedisKeys(TestProperties.with(Map.of("tokendiscovery.redis.key-prefix", "{td}:")));
        Set<Integer> slots = List.of(1L, 2L, 3L, 99L).stream()
                .flatMap(n -> keysUsedTogether(keys, TestFrames.key32(n, 5)).stream())
                .map(RedisClusterKeysTest::slot).collect(Collectors.toSet());
        assertThat(slots).containsExactly(slot("td"));
    }

    @Test
    void theDefaultPrefixSpreadsKeysOverSlots() {
        RedisKeys keys = new RedisKeys(TestProperties.defaults());
        Set<Integer> slots = keysUsedTogether(keys, TestFrames.key32(1, 5)).stream()
                .map(RedisClusterKeysTest::slot).collect(Collectors.toSet());
        assertThat(slots.size()).isGreaterThan(1);
    }

    /** Redis Cluster's key slot: CRC16 (XMODEM) of the hash tag if there is one, mod 16384. */
    static int slot(String key) {
        int open = key.indexOf('{');
        if (open >= 0) {
            int close = key.indexOf('}', open + 1);
            if (close > open + 1) {
                key = key.substring(open + 1, close);
            }
        }
        int crc = 0;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            crc ^= (b & 0xff) << 8;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }
        return (crc & 0xffff) % 16384;
    }

    @Test
    void slotMatchesRedisReferenceValues() {
        // CLUSTER KEYSLOT foo = 12182; the specification's CRC16 check value of "123456789" is 0x31C3
        assertThat(slot("foo")).isEqualTo(12182);
        assertThat(slot("123456789")).isEqualTo(0x31C3 % 16384);
        assertThat(slot("{user1000}.following")).isEqualTo(slot("{user1000}.followers"));
    }
}
