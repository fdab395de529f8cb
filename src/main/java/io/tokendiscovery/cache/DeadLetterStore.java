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
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import io.micrometer.core.instrument.Gauge;
import org.springframework.dao.DataAccessException;
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
 *
 * <p>While Redis is unreachable ({@link RedisOutage}) an entry is not lost and does not make its caller fail: it is
 * kept in an in-memory spill, oldest first, bounded by {@code tokendiscovery.redis.dead-letter-spill-max-entries}, and
 * moved to the Redis list, in order, by {@link #flushSpill()} once Redis answers (after every ingest batch written to
 * Redis and by the ingest summary timer). Entries filed while the spill holds any go to the spill too, so the list
 * keeps the filing order. Past the bound an entry is dropped and counted in {@code tokendiscovery.ingest.frames.lost}
 * ({@code reason=dead_letter_spill_full}). The spill lives as long as the process: a process killed during an outage
 * loses it, as it loses its receive queue (docs/operations.md#redis-outage).
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
    private final RedisOutage outage;
    private final LostFrames lost;
    private final int spillMaxEntries;
    private final ConcurrentLinkedDeque<Spilled> spill = new ConcurrentLinkedDeque<>();
    private final AtomicInteger spillSize = new AtomicInteger();
    private final Counter spilled;

    public DeadLetterStore(StringRedisTemplate redis, RedisKeys keys, ObjectMapper mapper, MeterRegistry meters,
            Clock clock, TokenDiscoveryProperties properties, RedisOutage outage, LostFrames lost) {
        this.outage = outage;
        this.lost = lost;
        this.spillMaxEntries = properties.redis().deadLetterSpillMaxEntries();
        this.spilled = Counter.builder("tokendiscovery.ingest.dead.letters.spilled")
                .description("Dead letters kept in memory because Redis was unreachable (moved to Redis later)")
                .register(meters);
        Gauge.builder("tokendiscovery.ingest.dead.letters.spill.size", spillSize, AtomicInteger::get)
                .description("Dead letters held in memory, waiting for Redis")
                .register(meters);
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
        String notApplied;
        String applied;
        try {
            if (dedupKey == null) {
                notApplied = mapper.writeValueAsString(entry);
                applied = notApplied;
            } else {
                entry.put("applied", false);
                notApplied = mapper.writeValueAsString(entry);
                entry.put("applied", true);
                applied = mapper.writeValueAsString(entry);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a dead letter", e);
        }
        Spilled letter = new Spilled(notApplied, applied, dedupKey);
        if (outage.down() || !spill.isEmpty()) {
            // Redis is known to be down, or older entries wait in the spill: keep the filing order
            spill(letter);
            return false;
        }
        try {
            return write(letter);
        } catch (DataAccessException e) {
            if (!RedisOutage.isUnavailable(e)) {
                throw e;
            }
            outage.failed(e);
            spill(letter);
            return false;
        }
    }

    /** ONE script on the shared connection: ordered after the change's own script call (see the class doc). */
    private boolean write(Spilled letter) {
        Long result = redis.execute(recordScript, List.of(keys.deadLetters(),
                        letter.dedupKey() == null ? keys.signature("-") : letter.dedupKey()),
                letter.notApplied(), letter.applied(), Long.toString(maxEntries), letter.dedupKey() == null ? "0" : "1");
        boolean wasApplied = result != null && result == 1;
        if (wasApplied) {
            log.info("The dead-lettered frame's change had been applied to Redis: a replay will skip it");
        }
        return wasApplied;
    }

    private void spill(Spilled letter) {
        if (spillSize.get() >= spillMaxEntries) {
            lost.lost(LostFrames.Reason.DEAD_LETTER_SPILL_FULL, 1, "Redis is unreachable and "
                    + spillMaxEntries + " dead letters already wait in memory "
                    + "(tokendiscovery.redis.dead-letter-spill-max-entries)");
            return;
        }
        spill.addLast(letter);
        spillSize.incrementAndGet();
        spilled.increment();
    }

    /**
     * Moves the dead letters kept in memory during a Redis outage to the Redis list, oldest first; stops at the first
     * Redis failure (the rest stay for the next call). Cheap when the spill is empty. Returns nothing, so that as a
     * route step it leaves the body alone.
     */
    public void flushSpill() {
        if (!spill.isEmpty()) {
            moveSpill();
        }
    }

    private synchronized int moveSpill() {
        int moved = 0;
        Spilled next;
        while ((next = spill.peekFirst()) != null) {
            try {
                write(next);
            } catch (DataAccessException e) {
                if (RedisOutage.isUnavailable(e)) {
                    outage.failed(e);
                } else {
                    log.error("Could not move a dead letter from memory to Redis; it stays in memory", e);
                }
                break;
            }
            spill.pollFirst();
            spillSize.decrementAndGet();
            moved++;
        }
        if (moved > 0) {
            outage.succeeded();
            log.warn("Moved {} dead letters kept in memory during the Redis outage to {} ({} left)", moved,
                    keys.deadLetters(), spillSize.get());
        }
        return moved;
    }

    /** Dead letters waiting in memory for Redis. */
    public int spillSize() {
        return spillSize.get();
    }

    private record Spilled(String notApplied, String applied, String dedupKey) {}

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
