package io.tokendiscovery.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.cache.DeadLetterStore;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;
import org.springframework.stereotype.Component;

/**
 * Replays dead-lettered frames through the ingest ({@code routes/dead-letter-replay.camel.yaml}), oldest first, as
 * one batch, e.g. after a parser fix or a Redis outage. An entry leaves the list only after its replay; a frame that
 * is rejected again is dead-lettered again (newest end). A replayed frame keeps its original receive sequence, so it can
 * never overwrite a newer price; a trade already applied is dropped by the signature dedup.
 */
@Component("frameReplay")
public class FrameReplay {

    public static final String ENTRIES = "deadLetterEntries";

    private final DeadLetterStore deadLetters;
    private final ObjectMapper json;
    private final Clock clock;

    public FrameReplay(DeadLetterStore deadLetters, ObjectMapper json, Clock clock) {
        this.deadLetters = deadLetters;
        this.json = json;
        this.clock = clock;
    }

    /** @return up to {@code max} entries, oldest first */
    public List<String> oldest(int max) {
        return deadLetters.oldest(max);
    }

    /**
     * The entries' frames as a batch for the ingest ({@code List<Message>}, as the {@code pumpportal:} consumer
     * delivers them), each with its original receive headers. An entry recorded without them counts as the oldest
     * possible frame (sequence 1): its counters apply, its price replaces nothing newer.
     */
    public List<Message> toBatch(List<String> entries, Exchange exchange) throws IOException {
        List<Message> frames = new ArrayList<>(entries.size());
        for (String entry : entries) {
            JsonNode node = json.readTree(entry);
            Message frame = new DefaultMessage(exchange);
            frame.setBody(node.path("frame").asText(""));
            frame.setHeader(PumpPortalHeaders.RECEIVE_SEQ,
                    node.hasNonNull("receiveSeq") ? node.get("receiveSeq").asLong() : 1L);
            frame.setHeader(PumpPortalHeaders.RECEIVED_AT,
                    node.hasNonNull("receivedAt") ? node.get("receivedAt").asLong() : clock.millis());
            frames.add(frame);
        }
        return frames;
    }

    public void removeAll(@ExchangeProperty(ENTRIES) List<String> entries) {
        for (String entry : entries) {
            deadLetters.remove(entry);
        }
    }
}
