package io.tokendiscovery.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.cache.DeadLetterStore;
import io.tokendiscovery.cache.RedisKeys;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultMessage;
import org.springframework.stereotype.Component;

/**
 * Replays dead-lettered frames through the ingest ({@code routes/dead-letter-replay.camel.yaml}), oldest first, as
 * one batch, e.g. after a parser fix or a Redis outage. An entry leaves the list only after its replay; a frame that
 * is rejected again is dead-lettered again (newest end). A replayed frame keeps its original receive sequence, so it can
 * never overwrite a newer price.
 *
 * <p>Idempotent for as long as an entry is kept (docs/operations.md#replay-is-idempotent): an entry filed after its
 * change had been applied says so ({@code "applied":true}, see {@link DeadLetterStore}) and is removed without being
 * replayed; the changes a replay applies keep their signature dedup key for
 * {@code tokendiscovery.ingest.replay-dedup-ttl} ({@link #holdReplayed}), so the same entries replayed again (still
 * listed after a crash) are duplicates.
 */
@Component("frameReplay")
public class FrameReplay {

    public static final String ENTRIES = "deadLetterEntries";
    /** Exchange property: how many of the entries were skipped because their change had been applied. */
    public static final String ALREADY_APPLIED = "deadLettersAlreadyApplied";

    private final DeadLetterStore deadLetters;
    private final RedisKeys keys;
    private final ObjectMapper json;
    private final Clock clock;
    private final ProducerTemplate camel;

    public FrameReplay(DeadLetterStore deadLetters, RedisKeys keys, ObjectMapper json, Clock clock,
            ProducerTemplate camel) {
        this.deadLetters = deadLetters;
        this.keys = keys;
        this.json = json;
        this.clock = clock;
        this.camel = camel;
    }

    /** @return up to {@code max} entries, oldest first */
    public List<String> oldest(int max) {
        return deadLetters.oldest(max);
    }

    /**
     * The entries' frames as a batch for the ingest ({@code List<Message>}, as the {@code pumpportal:} consumer
     * delivers them), each with its original receive headers. An entry recorded without them counts as the oldest
     * possible frame (sequence 1): its counters apply, its price replaces nothing newer. An entry whose change had
     * been applied is left out and counted in {@link #ALREADY_APPLIED}.
     */
    public List<Message> toBatch(List<String> entries, Exchange exchange) throws IOException {
        List<Message> frames = new ArrayList<>(entries.size());
        int alreadyApplied = 0;
        for (String entry : entries) {
            JsonNode node = json.readTree(entry);
            if (node.path("applied").asBoolean(false)) {
                alreadyApplied++;
                continue;
            }
            Message frame = new DefaultMessage(exchange);
            frame.setBody(node.path("frame").asText(""));
            frame.setHeader(PumpPortalHeaders.RECEIVE_SEQ,
                    node.hasNonNull("receiveSeq") ? node.get("receiveSeq").asLong() : 1L);
            frame.setHeader(PumpPortalHeaders.RECEIVED_AT,
                    node.hasNonNull("receivedAt") ? node.get("receivedAt").asLong() : clock.millis());
            frames.add(frame);
        }
        exchange.setProperty(ALREADY_APPLIED, alreadyApplied);
        return frames;
    }

    /**
     * The batch through {@code direct:ingest-batch}, on an exchange of its own: when its Redis write fails for good,
     * the ingest's error handling dead-letters its frames again and marks the exchange handled, and Camel stops
     * routing a handled exchange in the calling route too; the replay must go on to hold the applied changes' keys
     * and remove the entries it replayed (their new entries are at the newest end).
     *
     * @return what the ingest left: the {@link IngestBatch}, or the frames if it failed before collecting them
     */
    public Object ingest(@Body List<Message> frames) {
        Exchange done = camel.send("direct:ingest-batch", exchange -> exchange.getIn().setBody(frames));
        if (done.getException() != null) {
            // not even dead-lettered again (Redis down for the dead letters too): the entries stay listed
            throw new IllegalStateException("Replaying dead-lettered frames failed", done.getException());
        }
        return done.getMessage().getBody();
    }

    /**
     * After the batch went through the ingest: the dedup keys of its changes that were applied are kept for
     * {@code tokendiscovery.ingest.replay-dedup-ttl}. The body is what the ingest left: the {@link IngestBatch}, or the
     * frames when it failed before collecting them (then nothing was applied).
     */
    public void holdReplayed(@Body Object batch) {
        if (batch instanceof IngestBatch changes) {
            Set<String> dedupKeys = new LinkedHashSet<>();
            for (IngestBatch.Change change : changes.changes()) {
                String key = keys.dedup(change.update());
                if (key != null) {
                    dedupKeys.add(key);
                }
            }
            deadLetters.holdReplayed(dedupKeys);
        }
    }

    public void removeAll(@ExchangeProperty(ENTRIES) List<String> entries) {
        for (String entry : entries) {
            deadLetters.remove(entry);
        }
    }

    /**
     * @return {@code replayed}: entries whose frame went through the ingest again (applied, dropped as a duplicate,
     *     or dead-lettered again); {@code alreadyApplied}: entries removed without a replay, their change being in
     *     Redis already
     */
    public Map<String, Integer> report(@ExchangeProperty(ENTRIES) List<String> entries,
            @ExchangeProperty(ALREADY_APPLIED) Integer alreadyApplied) {
        int skipped = alreadyApplied == null ? 0 : alreadyApplied;
        Map<String, Integer> report = new LinkedHashMap<>();
        report.put("replayed", entries.size() - skipped);
        report.put("alreadyApplied", skipped);
        return report;
    }
}
