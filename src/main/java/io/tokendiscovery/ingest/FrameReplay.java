package io.tokendiscovery.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.cache.DeadLetterStore;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * Replays dead-lettered frames through the frame pipeline ({@code routes/dead-letter-replay.camel.yaml}), oldest
 * first, e.g. after a parser fix or a Redis outage. An entry leaves the list only after its replay; a frame that is
 * rejected again is dead-lettered again (newest end). A replayed frame keeps its original receive sequence, so it can
 * never overwrite a newer price; a trade already applied is dropped by the signature dedup.
 */
@Component("frameReplay")
public class FrameReplay {

    public static final String ENTRY = "deadLetterEntry";

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
     * The entry's frame as the body, with its original receive headers. An entry recorded without them counts as
     * the oldest possible frame (sequence 1): its counters apply, its price replaces nothing newer.
     */
    public String toFrame(@ExchangeProperty(ENTRY) String entry, Exchange exchange) throws IOException {
        JsonNode node = json.readTree(entry);
        long seq = node.hasNonNull("receiveSeq") ? node.get("receiveSeq").asLong() : 1;
        long at = node.hasNonNull("receivedAt") ? node.get("receivedAt").asLong() : clock.millis();
        exchange.getIn().setHeader(PumpPortalHeaders.RECEIVE_SEQ, seq);
        exchange.getIn().setHeader(PumpPortalHeaders.RECEIVED_AT, at);
        return node.path("frame").asText("");
    }

    public void remove(@ExchangeProperty(ENTRY) String entry) {
        deadLetters.remove(entry);
    }
}
