package io.tokendiscovery.ingest;

/** Headers the {@code pumpportal:} consumer stamps on every frame at the socket. */
public final class PumpPortalHeaders {

    /** Strictly increasing receive sequence (microsecond hybrid clock, see {@link ReceiveClock}). */
    public static final String RECEIVE_SEQ = "PumpPortalReceiveSeq";

    /** Wall-clock receive time in epoch milliseconds. */
    public static final String RECEIVED_AT = "PumpPortalReceivedAt";

    /** {@link System#nanoTime()} when the frame left the socket: the start of the ingest latency timer. */
    public static final String RECEIVED_NANOS = "PumpPortalReceivedNanos";

    /** Present (true) when the frame arrived as a binary WebSocket message, which PumpPortal never sends. */
    public static final String BINARY = "PumpPortalBinary";

    private PumpPortalHeaders() {}
}
