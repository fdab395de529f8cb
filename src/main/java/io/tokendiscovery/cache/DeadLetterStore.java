package io.tokendiscovery.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Rejected frames: a capped Redis list (newest first) holding the raw frame (cut at 64 KiB), the reason, the detail
 * and the time, plus a counter tagged by reason and one log line. Replay reads this list.
 *
 * <p>A frame dead-lettered after its change was built (the batch's Redis write failed, or Redis refused the change)
 * may have been applied all the same (a reply that timed out, a batch that failed half way). Such an entry records
 * whether its change's signature dedup key existed when it was filed ({@code "applied"}), checked in the same script
 * that files it, on the connection the change was sent on, after it: replay skips an applied entry however long it
 * waited (docs/operations.md#replay-is-idempotent).
 */
@Component("deadLetters")
public class DeadLetterStore {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterStore.class);
    static final int MAX_STORED_FRAME_CHARS = 64 * 1024;

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final ObjectMapper mapper;
    private final MeterRegistry meters;
    private final Clock clock;
    private final long maxEntries;
    private final String replayDedupTtlSeconds;
    private final RedisScript<Long> recordScript =
            RedisScript.of(new ClassPathResource("redis/record-dead-letter.lua"), Long.class);
    private final RedisScript<Long> holdScript =
            RedisScript.of(new ClassPathResource("redis/hold-replayed-signatures.lua"), Long.class);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public DeadLetterStore(StringRedisTemplate redis, RedisKeys keys, ObjectMapper mapper, MeterRegistry meters,
            Clock clock, TokenDiscoveryProperties properties) {
        this.redis = redis;
        this.keys = keys;
        this.mapper = mapper;
        this.meters = meters;
        this.clock = clock;
        this.maxEntries = properties.redis().deadLetterMaxEntries();
        this.replayDedupTtlSeconds =
                Long.toString(Math.max(1, properties.ingest().replayDedupTtl().toSeconds()));
    }

    /**
     * @param receiveSeq the frame's receive sequence and time when known: a replay reuses them, so a replayed old
     *     frame can still never overwrite a newer price
     */
    public void record(String rawFrame, String reason, String detail, Long receiveSeq, Long receivedAt) {
        record(rawFrame, reason, detail, receiveSeq, receivedAt, null);
    }

    /**
     * @param dedupKey the signature dedup key of the frame's change ({@link RedisKeys#dedup}) when the change was
     *     built and may have been applied; null when it was never sent to Redis or has no signature
     * @return whether the change was already applied (its dedup key existed): the entry says so and replay skips it
     */
    public boolean record(String rawFrame, String reason, String detail, Long receiveSeq, Long receivedAt,
            String dedupKey) {
        counters.computeIfAbsent(reason, r -> Counter.builder("tokendiscovery.ingest.dead.letters")
                        .description("Frames rejected into the dead-letter store, by reason")
                        .tag("reason", r)
                        .register(meters))
                .increment();
        String frame = rawFrame == null ? "" : rawFrame;
        log.warn("Dead-lettered a PumpPortal frame: reason={}, detail={}, frameChars={}", reason, detail, frame.length());
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("reason", reason);
        entry.put("detail", detail);
        entry.put("at", clock.instant().toString());
        entry.put("frameChars", frame.length());
        if (receiveSeq != null) {
            entry.put("receiveSeq", receiveSeq);
            entry.put("receivedAt", receivedAt);
        }
        entry.put("frame", frame.length() > MAX_STORED_FRAME_CHARS ? frame.substring(0, MAX_STORED_FRAME_CHARS) : frame);
        try {
            String notApplied;
            String applied;
            if (dedupKey == null) {
                notApplied = mapper.writeValueAsString(entry);
                applied = notApplied;
            } else {
                entry.put("applied", false);
                notApplied = mapper.writeValueAsString(entry);
                entry.put("applied", true);
                applied = mapper.writeValueAsString(entry);
            }
            // ONE script on the shared connection: ordered after the change's own script call (see the class doc)
            Long result = redis.execute(recordScript, List.of(keys.deadLetters(),
                            dedupKey == null ? keys.signature("-") : dedupKey),
                    notApplied, applied, Long.toString(maxEntries), dedupKey == null ? "0" : "1");
            boolean wasApplied = result != null && result == 1;
            if (wasApplied) {
                log.info("The dead-lettered frame's change had been applied to Redis: a replay will skip it");
            }
            return wasApplied;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a dead letter", e);
        }
    }

    /**
     * After a replay: the dedup keys of the replayed changes that were applied are kept for
     * {@code tokendiscovery.ingest.replay-dedup-ttl}, so the same entries replayed again (still listed after a crash
     * before their removal) are dropped as duplicates for that long.
     *
     * @return how many of the keys exist (changes applied)
     */
    public long holdReplayed(Collection<String> dedupKeys) {
        if (dedupKeys.isEmpty()) {
            return 0;
        }
        Long held = redis.execute(holdScript, new ArrayList<>(dedupKeys), replayDedupTtlSeconds);
        return held == null ? 0 : held;
    }

    /** @return the oldest {@code max} entries (JSON), oldest first; they stay in the list until {@link #remove}. */
    public List<String> oldest(int max) {
        List<String> newestFirst = redis.opsForList().range(keys.deadLetters(), -Math.max(1, max), -1);
        List<String> oldestFirst = new ArrayList<>(newestFirst == null ? List.of() : newestFirst);
        Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** Removes one entry (the oldest copy), after its replay. */
    public void remove(String entry) {
        redis.opsForList().remove(keys.deadLetters(), -1, entry);
    }

    public long size() {
        Long size = redis.opsForList().size(keys.deadLetters());
        return size == null ? 0 : size;
    }
}
