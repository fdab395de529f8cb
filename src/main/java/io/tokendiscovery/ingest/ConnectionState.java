package io.tokendiscovery.ingest;

/** Lifecycle of the one PumpPortal connection. The gauge publishes {@link #ordinal()}. */
public enum ConnectionState {
    STOPPED,
    CONNECTING,
    SUBSCRIBING,
    STREAMING,
    BACKING_OFF
}
