package io.tokendiscovery.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A fake PumpPortal that sends frames only when told to, and to the connection it is told to, and records every
 * connection: when it opened and closed (monotonic clock of the test JVM) and each text message the client sent, with
 * its arrival time. From these, {@link #overlaps()} gives every interval in which two connections were open at once.
 */
final class RecordingPumpPortal implements AutoCloseable {

    record Message(long atNanos, String text) {}

    static final class Connection {
        final int id;
        final long openedNanos;
        volatile long closedNanos;
        final ServerWebSocket socket;
        final List<Message> messages = new CopyOnWriteArrayList<>();

        Connection(int id, long openedNanos, ServerWebSocket socket) {
            this.id = id;
            this.openedNanos = openedNanos;
            this.socket = socket;
        }

        boolean open() {
            return closedNanos == 0;
        }

        List<Message> messagesAfter(long nanos) {
            return messages.stream().filter(m -> m.atNanos() - nanos > 0).toList();
        }

        @Override
        public String toString() {
            return "connection " + id;
        }
    }

    /** Two connections open at the same time, from {@code fromNanos} to {@code toNanos} (0: still open). */
    record Overlap(Connection older, Connection newer, long fromNanos, long toNanos) {
        long millis(long nowNanos) {
            return TimeUnit.NANOSECONDS.toMillis((toNanos == 0 ? nowNanos : toNanos) - fromNanos);
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();

    RecordingPumpPortal() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().webSocketHandler(ws -> {
            Connection connection = new Connection(connections.size() + 1, System.nanoTime(), ws);
            connections.add(connection);
            ws.textMessageHandler(text -> connection.messages.add(new Message(System.nanoTime(), text)));
            ws.closeHandler(v -> connection.closedNanos = System.nanoTime());
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String url() {
        return "ws://127.0.0.1:" + server.actualPort() + "/api/data";
    }

    List<Connection> connections() {
        return List.copyOf(connections);
    }

    List<Connection> open() {
        return connections.stream().filter(Connection::open).toList();
    }

    void send(Connection connection, String frame) {
        connection.socket.writeTextMessage(frame);
    }

    /** Every interval in which two connections were open at once, over the whole run. */
    List<Overlap> overlaps() {
        List<Overlap> overlaps = new ArrayList<>();
        List<Connection> all = connections();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                Connection a = all.get(i);
                Connection b = all.get(j);
                long aEnd = a.closedNanos;
                // b opened after a (list order); they overlap if a was still open when b opened
                if (aEnd == 0 || aEnd - b.openedNanos > 0) {
                    long end = aEnd == 0 ? b.closedNanos : (b.closedNanos == 0 ? aEnd : Math.min(aEnd, b.closedNanos));
                    overlaps.add(new Overlap(a, b, b.openedNanos, end));
                }
            }
        }
        return overlaps;
    }

    @Override
    public void close() {
        vertx.close();
    }
}
