package io.tokendiscovery.ingest;

import io.tokendiscovery.cache.DeadLetterStore;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.cache.TokenStore;
import java.util.List;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/** Called by the ingest error handling: files the raw frame(s) and the reason into the dead-letter store. */
@Component("rejectedFrames")
public class RejectedFrames {

    /** Exchange property the ingest route keeps the raw frame in, for dead-lettering after parsing. */
    public static final String RAW_FRAME = "rawFrame";

    private final DeadLetterStore deadLetters;
    private final RedisKeys keys;

    public RejectedFrames(DeadLetterStore deadLetters, RedisKeys keys) {
        this.deadLetters = deadLetters;
        this.keys = keys;
    }

    public void record(@ExchangeProperty(RAW_FRAME) String rawFrame,
            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause,
            @Header(PumpPortalHeaders.RECEIVE_SEQ) Long receiveSeq,
            @Header(PumpPortalHeaders.RECEIVED_AT) Long receivedAt) {
        if (cause instanceof FrameRejectedException rejected) {
            deadLetters.record(rawFrame, rejected.getReason().name(), rejected.getMessage(), receiveSeq, receivedAt);
        } else {
            deadLetters.record(rawFrame, RejectReason.PROCESSING_FAILED.name(), describe(cause), receiveSeq,
                    receivedAt);
        }
    }

    private static String describe(Exception cause) {
        return cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /**
     * A batch whose Redis write failed for good: every frame in it is dead-lettered. Some of its changes may have been
     * applied all the same (a reply that timed out, a pipeline cut half way, a step after the write that failed): each
     * entry records whether its change's signature dedup key exists now, and replay skips the applied ones however
     * long after the dedup TTL it runs. The body is the {@link IngestBatch}, or the raw {@code List<Message>} if the
     * failure came before the frames were collected (nothing was sent to Redis then).
     */
    public void recordBatch(@Body Object batch, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        String detail = describe(cause);
        String reason = RejectReason.PROCESSING_FAILED.name();
        if (batch instanceof IngestBatch changes) {
            for (IngestBatch.Change change : changes.changes()) {
                deadLetters.record(change.rawFrame(), reason, detail, change.receiveSeq(), change.receivedAt(),
                        keys.dedup(change.update()));
            }
        } else if (batch instanceof List<?> frames) {
            for (Object frame : frames) {
                if (frame instanceof Message message) {
                    deadLetters.record(message.getBody(String.class), reason, detail,
                            message.getHeader(PumpPortalHeaders.RECEIVE_SEQ, Long.class),
                            message.getHeader(PumpPortalHeaders.RECEIVED_AT, Long.class));
                }
            }
        }
    }

    /** After the batch's Redis write: the frames whose change Redis answered with an error are dead-lettered. */
    public void recordRedisRejections(IngestBatch batch, List<TokenStore.Outcome> outcomes) {
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) == TokenStore.Outcome.REJECTED) {
                IngestBatch.Change change = batch.changes().get(i);
                deadLetters.record(change.rawFrame(), RejectReason.REDIS_REJECTED.name(),
                        "Redis answered the token update script with an error (logged by TokenStore)",
                        change.receiveSeq(), change.receivedAt(), keys.dedup(change.update()));
            }
        }
    }
}
