package io.tokendiscovery.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Rejected frames: a capped Redis list (newest first) holding the raw frame (cut at 64 KiB), the reason, the detail
 * and the time, plus a counter tagged by reason and one log line. Replay reads this list.
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
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public DeadLetterStore(StringRedisTemplate redis, RedisKeys keys, ObjectMapper mapper, MeterRegistry meters,
            Clock clock, TokenDiscoveryProperties properties) {
        this.redis = redis;
        this.keys = keys;
        this.mapper = mapper;
        this.meters = meters;
        this.clock = clock;
        this.maxEntries = properties.redis().deadLetterMaxEntries();
    }

    /**
     * @param receiveSeq the frame's receive sequence and time when known: a replay reuses them, so a replayed old
     *     frame can still never overwrite a newer price
     */
    public void record(String rawFrame, String reason, String detail, Long receiveSeq, Long receivedAt) {
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
            String json = mapper.writeValueAsString(entry);
            // two commands on the shared connection (a pipeline would open a connection of its own per call)
            redis.opsForList().leftPush(keys.deadLetters(), json);
            redis.opsForList().trim(keys.deadLetters(), 0, maxEntries - 1);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a dead letter", e);
        }
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
