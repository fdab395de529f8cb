package io.tokendiscovery.ingest;

import io.tokendiscovery.TokenDiscoveryProperties;

/**
 * The liveness clocks of the PumpPortal connection: when it opened, when the last frame, data frame and pong came,
 * when the last ping went; says when to ping and when the connection is dead (no pong in time, or a stall: no data
 * frame while streaming). Confined to the client's Vert.x context.
 */
final class Heartbeat {

    private final TokenDiscoveryProperties.PumpPortal config;
    private long connectedAt;
    private long lastFrameAt;
    private long lastDataFrameAt;
    private long lastPingAt;
    private boolean pingOutstanding;

    Heartbeat(TokenDiscoveryProperties.PumpPortal config) {
        this.config = config;
    }

    /** A connection opened at {@code now}. */
    void opened(long now) {
        connectedAt = now;
        lastFrameAt = now;
        lastDataFrameAt = now;
    }

    /** A frame arrived; {@code data} when it is a market event (it carries a {@code txType}). */
    void frame(long now, boolean data) {
        lastFrameAt = now;
        if (data) {
            lastDataFrameAt = now;
        }
    }

    void pong(long now) {
        lastFrameAt = now;
    }

    /** The subscriptions are sent: the stall clock starts now. */
    void streaming(long now) {
        lastDataFrameAt = now;
    }

    /** Reading resumes after back-pressure: the silence while paused was ours, so every clock starts again. */
    void resumed(long now) {
        lastFrameAt = now;
        lastDataFrameAt = now;
        lastPingAt = now;
        pingOutstanding = false;
    }

    /** The connection is gone: no pong is awaited any more. */
    void closed() {
        pingOutstanding = false;
    }

    /** Why the connection must be considered dead at {@code now}, or {@code null} if it is alive. */
    String deadReason(long now, boolean streaming) {
        if (streaming && now - lastDataFrameAt > config.stallTimeout().toMillis()) {
            return "stalled: no data frame for " + (now - lastDataFrameAt) + " ms";
        }
        if (pingOutstanding && lastFrameAt < lastPingAt && now - lastPingAt > config.pongTimeout().toMillis()) {
            return "no pong within " + config.pongTimeout().toMillis() + " ms";
        }
        return null;
    }

    /** Whether a ping is due at {@code now}; if so, it counts as sent. */
    boolean pingDue(long now) {
        if (lastFrameAt >= lastPingAt) {
            pingOutstanding = false;
        }
        if (!pingOutstanding && now - lastPingAt >= config.pingInterval().toMillis()) {
            lastPingAt = now;
            pingOutstanding = true;
            return true;
        }
        return false;
    }

    /** How long the current connection has been open at {@code now}. */
    long connectedFor(long now) {
        return now - connectedAt;
    }
}
