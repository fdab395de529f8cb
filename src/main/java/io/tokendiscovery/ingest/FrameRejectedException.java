package io.tokendiscovery.ingest;

/**
 * A frame that must not be applied: the route's error handling records it in the dead-letter store, counts it by
 * {@link #reason()}, and goes on with the next frame. Never carries secrets.
 */
public class FrameRejectedException extends RuntimeException {

    private final RejectReason reason;

    public FrameRejectedException(RejectReason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public RejectReason getReason() {
        return reason;
    }
}
