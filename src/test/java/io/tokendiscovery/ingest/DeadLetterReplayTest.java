package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.cache.TokenStore;
import io.tokendiscovery.cache.TokenUpdate;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * Replaying dead letters is idempotent for as long as a dead letter is kept, not just for the signature dedup window
 * (issue 13, item 5): real embedded Redis and PostgreSQL, the real frame pipeline, Lua scripts, replay route and sync.
 * The live dedup TTL is 1 s here and expiry is awaited on Redis's clock, so "after the dedup window" is the real
 * thing, compressed.
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.pricing.sol-usd=100",
    "tokendiscovery.ingest.signature-dedup-ttl=1s"
})
@ActiveProfiles("test")
class DeadLetterReplayTest {

    private static final AtomicLong SALT = new AtomicLong(70_000);
    private static final AtomicLong SEQ = new AtomicLong(5_000_000);

    @Autowired ProducerTemplate producer;
    @Autowired TokenStore tokenStore;
    @Autowired RejectedFrames rejectedFrames;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired JdbcTemplate jdbc;

    private long salt;

    @BeforeEach
    void emptyDeadLetters() {
        salt = SALT.addAndGet(100);
        redis.delete(keys.deadLetters());
    }

    /**
     * A trade whose change reached Redis and was then dead-lettered with its whole batch, as the ingest's batch error
     * handling does when a reply times out after the script ran (ingest-batch-error-handling ->
     * {@code rejectedFrames.recordBatch}). By replay time its dedup key has expired. Replayed, and replayed again:
     * counted once in Redis and, after a sync, in PostgreSQL.
     *
     * <p>Fails without the fix: the first replay applies the trade a second time (trade_count 2, volume 4 SOL).
     */
    @Test
    void aFrameAppliedBeforeItWasDeadLetteredIsCountedOnceHoweverOftenItIsReplayed() {
        String mint = TestFrames.key32(1, salt);
        String signature = TestFrames.signature(1, salt);
        IngestBatch batch = changesOf(trade(mint, signature));
        assertThat(tokenStore.applyAll(batch.getUpdates())).containsExactly(TokenStore.Outcome.NEWEST);
        rejectedFrames.recordBatch(batch, new RedisSystemException("No reply from Redis within PT10S", null));
        assertThat(redis.opsForList().size(keys.deadLetters())).isOne();
        List<String> entries = listed();

        String dedupKey = keys.signature(signature + ":" + mint);
        await().atMost(Duration.ofSeconds(10)).until(() -> !Boolean.TRUE.equals(redis.hasKey(dedupKey)));

        Object report = producer.requestBody("direct:replay-dead-frames", 10);
        assertCountedOnce(mint);
        assertThat(report).isEqualTo(Map.of("replayed", 0, "alreadyApplied", 1));
        assertThat(redis.opsForList().size(keys.deadLetters())).isZero();

        // the same entry replayed again (still listed, as after a crash before its removal)
        relist(entries);
        producer.requestBody("direct:replay-dead-frames", 10);
        assertCountedOnce(mint);

        sync();
        assertRowCountedOnce(mint);
    }

    /**
     * A trade whose batch failed before its change reached Redis (Redis unreachable), dead-lettered the same way:
     * the first replay applies it, and replaying the same entry again later (still listed, as after a crash between
     * the replay and the entry's removal), after the live dedup window, changes nothing.
     *
     * <p>Fails without the fix: the second replay finds the dedup key expired and applies the trade again
     * (trade_count 2).
     */
    @Test
    void aFrameNeverAppliedIsAppliedExactlyOnceEvenIfReplayedTwice() {
        String mint = TestFrames.key32(2, salt);
        String signature = TestFrames.signature(2, salt);
        IngestBatch batch = changesOf(trade(mint, signature));
        rejectedFrames.recordBatch(batch, new RedisConnectionFailureException("Unable to connect to Redis"));
        assertThat(redis.hasKey(keys.token(mint))).isFalse();
        List<String> entries = listed();

        Object report = producer.requestBody("direct:replay-dead-frames", 10);
        assertCountedOnce(mint);

        relist(entries);
        awaitLiveDedupWindow();
        producer.requestBody("direct:replay-dead-frames", 10);
        assertCountedOnce(mint);
        assertThat(redis.opsForList().size(keys.deadLetters())).isZero();

        sync();
        assertRowCountedOnce(mint);
        assertThat(report).isEqualTo(Map.of("replayed", 1, "alreadyApplied", 0));
    }

    /**
     * Ordering through the frame pipeline and the replay route: a frame dead-lettered before it reached Redis is
     * replayed after a NEWER frame of the same token was applied live. It keeps its original, older receive
     * sequence, so its counters add but its price replaces nothing, in Redis and in the row. Fails when the
     * {@code seq > current} guard of apply-token-update.lua is removed (docs/testing.md, "Mutation checks").
     */
    @Test
    void aReplayedOlderFrameAddsItsCountersButKeepsTheNewerPrice() {
        String mint = TestFrames.key32(4, salt);
        IngestBatch older = changesOf(TestFrames.trade(mint, TestFrames.signature(4, salt), true, 2.0, 1000, 40,
                30 * 1_073_000_000d / 40));
        rejectedFrames.recordBatch(older, new RedisConnectionFailureException("Unable to connect to Redis"));
        IngestBatch newer = changesOf(TestFrames.trade(mint, TestFrames.signature(5, salt), true, 1.0, 1000, 50,
                30 * 1_073_000_000d / 50));
        assertThat(tokenStore.applyAll(newer.getUpdates())).containsExactly(TokenStore.Outcome.NEWEST);

        Object report = producer.requestBody("direct:replay-dead-frames", 10);
        assertThat(report).isEqualTo(Map.of("replayed", 1, "alreadyApplied", 0));
        double newerPrice = 50 / (30 * 1_073_000_000d / 50);
        Map<Object, Object> hash = redis.opsForHash().entries(keys.token(mint));
        assertThat(hash).containsEntry("trade_count", "2");
        assertThat(new BigDecimal((String) hash.get("volume_sol"))).isEqualByComparingTo("3");
        assertThat(Double.parseDouble((String) hash.get("price_sol"))).as("newer price kept").isEqualTo(newerPrice);

        sync();
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT trade_count, price_sol FROM token_discovery WHERE mint = ?", mint);
        assertThat(((Number) row.get("trade_count")).longValue()).isEqualTo(2);
        assertThat(((BigDecimal) row.get("price_sol")).doubleValue()).isEqualTo(newerPrice);
    }

    /**
     * Sync dead letters carry full row snapshots (not increments) and are written through the version-guarded
     * upsert, so replaying the same dead letter twice (the row reopened, or a second copy of it) writes nothing the
     * second time and the row keeps the snapshot's totals. Passes without any change: it states a property.
     */
    @Test
    void aSyncDeadLetterReplayedTwiceWritesItsSnapshotOnce() {
        String mint = TestFrames.key32(3, salt);
        String payload = """
                {"mint":"%s","name":"Replayed","symbol":"RPL","state":"ACTIVE","price_sol":"0.00000003",
                 "price_usd":"0.0000045","trade_count":"12","buy_count":"12","sell_count":"0","volume_sol":"1.5",
                 "volume_usd":"225","bonding_progress":"50","first_seen_at":"1795880000000",
                 "updated_at":"1795880000000","version":"5"}""".formatted(mint);
        jdbc.update("INSERT INTO sync_dead_letter (mint, sync_owner, sql_state, error, payload) "
                + "VALUES (?, 'x', '23514', 'e', ?::jsonb)", mint, payload);
        Map<?, ?> first = producer.requestBody("direct:replay-sync-dead-letters", 100, Map.class);
        assertThat(first.get("written")).isEqualTo(1);

        jdbc.update("UPDATE sync_dead_letter SET replayed_at = NULL WHERE mint = ?", mint);
        jdbc.update("INSERT INTO sync_dead_letter (mint, sync_owner, sql_state, error, payload) "
                + "VALUES (?, 'x', '23514', 'e', ?::jsonb)", mint, payload);
        Map<?, ?> again = producer.requestBody("direct:replay-sync-dead-letters", 100, Map.class);
        assertThat(again.get("replayed")).isEqualTo(2);
        assertThat(again.get("written")).isEqualTo(0);
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT trade_count, volume_sol FROM token_discovery WHERE mint = ?", mint);
        assertThat(((Number) row.get("trade_count")).longValue()).isEqualTo(12);
        assertThat((BigDecimal) row.get("volume_sol")).isEqualByComparingTo("1.5");
    }

    /** 2 SOL at 100 USD/SOL: 200 USD of volume, over the lazy-persistence threshold, so the sync writes a row. */
    private static String trade(String mint, String signature) {
        return TestFrames.trade(mint, signature, true, 2.0, 1000, 40, 30 * 1_073_000_000d / 40);
    }

    /** The frame through the real frame pipeline (direct:ingest-frame), collected as the ingest batch does. */
    private IngestBatch changesOf(String frame) {
        long seq = SEQ.incrementAndGet();
        long at = System.currentTimeMillis();
        Exchange done = producer.send("direct:ingest-frame", exchange -> {
            exchange.getIn().setBody(frame);
            exchange.getIn().setHeader(PumpPortalHeaders.RECEIVE_SEQ, seq);
            exchange.getIn().setHeader(PumpPortalHeaders.RECEIVED_AT, at);
        });
        assertThat(done.getException()).isNull();
        IngestBatch batch = new IngestBatch();
        batch.add(new IngestBatch.Change(done.getMessage().getBody(TokenUpdate.class), frame, seq, at, null));
        return batch;
    }

    private List<String> listed() {
        return redis.opsForList().range(keys.deadLetters(), 0, -1);
    }

    /** The entries back on the (empty) list, newest first as they were. */
    private void relist(List<String> entries) {
        assertThat(redis.opsForList().size(keys.deadLetters())).isZero();
        redis.opsForList().rightPushAll(keys.deadLetters(), entries);
    }

    /** A key with the live dedup TTL, set now and awaited until Redis expires it. */
    private void awaitLiveDedupWindow() {
        String probe = keys.prefix() + "test:dedup-window:" + salt;
        redis.opsForValue().set(probe, "1", Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> !Boolean.TRUE.equals(redis.hasKey(probe)));
    }

    private void sync() {
        producer.requestBody("direct:redis-to-db-sync", (Object) null);
    }

    private void assertCountedOnce(String mint) {
        Map<Object, Object> hash = redis.opsForHash().entries(keys.token(mint));
        assertThat(hash).containsEntry("trade_count", "1");
        assertThat(new BigDecimal((String) hash.get("volume_sol"))).isEqualByComparingTo("2");
    }

    private void assertRowCountedOnce(String mint) {
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT trade_count, volume_sol FROM token_discovery WHERE mint = ?", mint);
        assertThat(((Number) row.get("trade_count")).longValue()).isOne();
        assertThat((BigDecimal) row.get("volume_sol")).isEqualByComparingTo("2");
    }
}
