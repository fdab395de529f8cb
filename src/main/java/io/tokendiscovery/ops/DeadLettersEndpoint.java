package io.tokendiscovery.ops;

import io.tokendiscovery.cache.DeadLetterStore;
import io.tokendiscovery.sync.SyncDeadLetters;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/deadletters} (ADMIN only): GET counts what waits in both dead-letter stores, POST
 * {@code {"source":"frames"|"sync","max":1000}} replays through the routes of
 * {@code routes/dead-letter-replay.camel.yaml}: frames answer {@code {replayed, alreadyApplied}}, sync rows
 * {@code {replayed, written, rejectedAgain}}.
 */
@Component
@Endpoint(id = "deadletters")
public class DeadLettersEndpoint {

    private final DeadLetterStore frames;
    private final SyncDeadLetters syncRows;
    private final ProducerTemplate camel;

    public DeadLettersEndpoint(DeadLetterStore frames, SyncDeadLetters syncRows, ProducerTemplate camel) {
        this.frames = frames;
        this.syncRows = syncRows;
        this.camel = camel;
    }

    @ReadOperation
    public Map<String, Object> counts() {
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("frames", frames.size());
        counts.put("sync", syncRows.open());
        return counts;
    }

    @WriteOperation
    public Map<String, Object> replay(String source, @Nullable Integer max) {
        int limit = max == null || max <= 0 ? 1000 : max;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("source", source);
        switch (source) {
            case "frames" -> result.putAll(camel.requestBody("direct:replay-dead-frames", limit, Map.class));
            case "sync" -> result.putAll(camel.requestBody("direct:replay-sync-dead-letters", limit, Map.class));
            default -> throw new InvalidEndpointRequestException("source must be frames or sync", "bad source");
        }
        result.putAll(counts());
        return result;
    }
}
