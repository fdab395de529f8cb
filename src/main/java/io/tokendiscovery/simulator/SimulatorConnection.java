package io.tokendiscovery.simulator;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * One client connection of the {@link PumpPortalSimulator}: its subscriptions, its message rate limit and the writes
 * to its socket. Touched only on the simulator's event loop (counters are read by snapshots taken there).
 */
final class SimulatorConnection {

    final long id;
    final ServerWebSocket ws;
    final HttpConnection httpConnection;
    final String apiKey;
    final boolean funded;
    final Set<String> mints = new HashSet<>();
    final Set<String> accounts = new HashSet<>();
    boolean newTokens;
    boolean migrations;
    boolean frozen;
    long sent;
    long dropped;
    /** Arrival times of the last admitted messages (ring), for the 200-per-second limit. */
    private final long[] admitted = new long[PumpPortalSimulator.MAX_MESSAGES_PER_SECOND];
    private int head;
    private int count;

    SimulatorConnection(long id, ServerWebSocket ws, HttpConnection httpConnection, String apiKey, boolean funded) {
        this.id = id;
        this.ws = ws;
        this.httpConnection = httpConnection;
        this.apiKey = apiKey;
        this.funded = funded;
    }

    /** Admits a message unless 200 were admitted within the last second. */
    boolean admit(long nowNanos) {
        if (count < admitted.length) {
            admitted[(head + count) % admitted.length] = nowNanos;
            count++;
            return true;
        }
        if (nowNanos - admitted[head] < 1_000_000_000L) {
            return false;
        }
        admitted[head] = nowNanos;
        head = (head + 1) % admitted.length;
        return true;
    }

    boolean wants(SimulatedFrame frame, boolean firehose) {
        if (frozen) {
            return false;
        }
        return switch (frame.shape()) {
            case CREATE, BARE_CREATE, BONK_CREATE -> newTokens;
            case MIGRATE -> migrations;
            case TRADE, LEGACY_TRADE, AMM_TRADE -> firehose
                    || (funded && (mints.contains(frame.mint())
                            || (frame.trader() != null && !accounts.isEmpty() && accounts.contains(frame.trader()))));
        };
    }

    /** Writes a market frame unless the outbound buffer is full (then it is dropped); counts either outcome. */
    void deliver(String json, SimulatorStats stats) {
        if (ws.isClosed()) {
            return;
        }
        try {
            if (ws.writeQueueFull()) {
                dropped++;
                stats.frameDropped();
                return;
            }
            ws.writeFinalTextFrame(json);
            sent++;
            stats.frameSent();
        } catch (IllegalStateException closedMeanwhile) {
            // closed between the check and the write: nothing to deliver to
        }
    }

    /** Writes a control or raw frame whatever the buffer state: they are small and must not be lost. */
    boolean sendAlways(String text) {
        if (ws.isClosed() || frozen) {
            return false;
        }
        try {
            ws.writeFinalTextFrame(text);
            return true;
        } catch (IllegalStateException closedMeanwhile) {
            return false;
        }
    }

    PumpPortalSimulator.ConnectionInfo info() {
        return new PumpPortalSimulator.ConnectionInfo(id, apiKey, funded, newTokens, migrations, Set.copyOf(mints),
                Set.copyOf(accounts), sent, dropped);
    }
}
