package io.tokendiscovery.ingest;

import java.time.Clock;

/**
 * The PumpPortal connection's observable state: which {@link ConnectionState} since when, since when it has been down,
 * the failed attempts that drive the backoff, and why it last went down. Written on the client's context, read from
 * any thread (health, gauges).
 */
final class ConnectionStatus {

    private final Clock clock;
    private volatile ConnectionState state = ConnectionState.STOPPED;
    private volatile long stateSince;
    private volatile long downSince;
    private volatile int failedAttempts;
    private volatile String lastDisconnectReason = "";

    ConnectionStatus(Clock clock) {
        this.clock = clock;
        this.stateSince = clock.millis();
    }

    /** Enters {@code next}; a change from up (streaming or stopped) to down starts the down clock. */
    void set(ConnectionState next) {
        if (state != next) {
            long now = clock.millis();
            boolean wasDown = state != ConnectionState.STREAMING && state != ConnectionState.STOPPED;
            boolean goesDown = next != ConnectionState.STREAMING && next != ConnectionState.STOPPED;
            if (goesDown && !wasDown) {
                downSince = now;
            }
            state = next;
            stateSince = now;
        }
    }

    boolean is(ConnectionState s) {
        return state == s;
    }

    /** Records why the connection is down. */
    void down(String reason) {
        lastDisconnectReason = reason;
    }

    /** Counts a failed attempt; returns the count. */
    int attemptFailed() {
        return ++failedAttempts;
    }

    /** A healthy period ended the failure streak: the backoff starts over. */
    void resetAttempts() {
        failedAttempts = 0;
    }

    ConnectionState state() {
        return state;
    }

    long stateSince() {
        return stateSince;
    }

    long downSince() {
        return downSince;
    }

    int failedAttempts() {
        return failedAttempts;
    }

    String lastDisconnectReason() {
        return lastDisconnectReason;
    }
}
