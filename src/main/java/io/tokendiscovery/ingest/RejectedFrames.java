package io.tokendiscovery.ingest;

import io.tokendiscovery.cache.DeadLetterStore;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/** Called by the ingest error handling: files the raw frame and the reason into the dead-letter store. */
@Component("rejectedFrames")
public class RejectedFrames {

    /** Exchange property the ingest route keeps the raw frame in, for dead-lettering after parsing. */
    public static final String RAW_FRAME = "rawFrame";

    private final DeadLetterStore deadLetters;

    public RejectedFrames(DeadLetterStore deadLetters) {
        this.deadLetters = deadLetters;
    }

    public void record(@ExchangeProperty(RAW_FRAME) String rawFrame,
            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause,
            @Header(PumpPortalHeaders.RECEIVE_SEQ) Long receiveSeq,
            @Header(PumpPortalHeaders.RECEIVED_AT) Long receivedAt) {
        if (cause instanceof FrameRejectedException rejected) {
            deadLetters.record(rawFrame, rejected.getReason().name(), rejected.getMessage(), receiveSeq, receivedAt);
        } else {
            deadLetters.record(rawFrame, RejectReason.PROCESSING_FAILED.name(),
                    cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                    receiveSeq, receivedAt);
        }
    }
}
