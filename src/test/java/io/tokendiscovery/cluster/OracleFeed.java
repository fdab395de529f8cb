package io.tokendiscovery.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A scripted PumpPortal for the lifecycle test: a Vert.x WebSocket server speaking the feed's protocol (the
 * simulator's verbatim acks; {@code subscribeNewToken}, {@code subscribeMigration}, {@code subscribeTokenTrade}
 * keys and their unsubscriptions) that sends only the frames the test scripts, and records the ground truth of the
 * conversation: every frame it delivered (to which connection, when), every subscription message per connection,
 * the mints each connection is subscribed to, and how many connections were open at once.
 *
 * <p>Delivery follows PumpPortal: creates go to connections subscribed to new tokens, migrations to those subscribed
 * to migrations, and a trade only to connections that subscribed its mint. Every method is synchronized, so a frame
 * is delivered to the subscriptions as they are at that moment.
 */
final class OracleFeed implements AutoCloseable {

    record Subscription(long atMillis, String method, List<String> keys) {}

    record Delivery(long connectionId, long atMillis, FeedFrame frame) {}

    static final class Connection {
        final long id;
        final long openedAtMillis;
        final ServerWebSocket ws;
        long closedAtMillis = -1;
        boolean newTokens;
        boolean migrations;
        final Set<String> mints = new HashSet<>();
        final List<Subscription> subscriptions = new ArrayList<>();

        Connection(long id, long openedAtMillis, ServerWebSocket ws) {
            this.id = id;
            this.openedAtMillis = openedAtMillis;
            this.ws = ws;
        }

        boolean open() {
            return closedAtMillis < 0;
        }

        /** Mints subscribed with subscribeTokenTrade within {@code millis} of the open (unsubscribes ignored). */
        synchronized Set<String> subscribedWithin(long millis) {
            Set<String> out = new HashSet<>();
            for (Subscription s : subscriptions) {
                if (s.method().equals("subscribeTokenTrade") && s.atMillis() - openedAtMillis <= millis) {
                    out.addAll(s.keys());
                }
            }
            return out;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Vertx vertx;
    private final Consumer<FeedFrame> onDelivered;
    private HttpServer server;
    private long nextId = 1;
    private final List<Connection> connections = new ArrayList<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    private int maxConcurrent;

    OracleFeed(Vertx vertx, Consumer<FeedFrame> onDelivered) {
        this.vertx = vertx;
        this.onDelivered = onDelivered;
    }

    void start() throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                        .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(1 << 20))
                .webSocketHandler(this::accept);
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    String url() {
        return "ws://127.0.0.1:" + server.actualPort() + "/api/data";
    }

    private synchronized void accept(ServerWebSocket ws) {
        if (!ws.path().equals("/api/data")) {
            ws.reject(404);
            return;
        }
        Connection c = new Connection(nextId++, System.currentTimeMillis(), ws);
        connections.add(c);
        maxConcurrent = Math.max(maxConcurrent, openConnections());
        ws.textMessageHandler(text -> onText(c, text));
        ws.closeHandler(v -> closed(c));
        ws.exceptionHandler(e -> { });
    }

    private synchronized void closed(Connection c) {
        if (c.closedAtMillis < 0) {
            c.closedAtMillis = System.currentTimeMillis();
        }
    }

    private synchronized void onText(Connection c, String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (Exception e) {
            c.ws.writeTextMessage("{\"errors\":\"Invalid message: not JSON\"}");
            return;
        }
        String method = node.path("method").asText("");
        List<String> keys = new ArrayList<>();
        node.path("keys").forEach(k -> keys.add(k.asText()));
        synchronized (c) {
            c.subscriptions.add(new Subscription(System.currentTimeMillis(), method, List.copyOf(keys)));
        }
        switch (method) {
            case "subscribeNewToken" -> {
                c.newTokens = true;
                c.ws.writeTextMessage(PumpPortalSimulator.ACK_NEW_TOKEN);
            }
            case "unsubscribeNewToken" -> {
                c.newTokens = false;
                c.ws.writeTextMessage(PumpPortalSimulator.ACK_UNSUBSCRIBE_NEW_TOKEN);
            }
            case "subscribeMigration" -> {
                c.migrations = true;
                c.ws.writeTextMessage(PumpPortalSimulator.ACK_MIGRATION);
            }
            case "subscribeTokenTrade" -> {
                c.mints.addAll(keys);
                c.ws.writeTextMessage(PumpPortalSimulator.ACK_KEYS);
            }
            case "unsubscribeTokenTrade" -> {
                keys.forEach(c.mints::remove);
                c.ws.writeTextMessage(PumpPortalSimulator.ACK_UNSUBSCRIBE_KEYS);
            }
            default -> c.ws.writeTextMessage("{\"errors\":\"Unknown method '" + method + "'\"}");
        }
    }

    /**
     * Sends the frame to every open connection that wants it, records each delivery and hands the frame to the
     * ground truth once if it went anywhere. @return whether it was delivered
     */
    synchronized boolean send(FeedFrame frame) {
        boolean delivered = false;
        for (Connection c : connections) {
            if (!c.open() || c.ws.isClosed() || !wants(c, frame)) {
                continue;
            }
            try {
                c.ws.writeFinalTextFrame(frame.json());
            } catch (IllegalStateException closedMeanwhile) {
                continue;
            }
            deliveries.add(new Delivery(c.id, System.currentTimeMillis(), frame));
            delivered = true;
        }
        if (delivered) {
            onDelivered.accept(frame);
        }
        return delivered;
    }

    private static boolean wants(Connection c, FeedFrame frame) {
        return switch (frame.kind()) {
            case CREATE -> c.newTokens;
            case MIGRATE -> c.migrations;
            case TRADE -> c.mints.contains(frame.mint());
        };
    }

    /** The server drops the feed: a close frame (1000) on every open connection, as PumpPortal's rebalancing does. */
    synchronized void dropConnections() {
        for (Connection c : connections) {
            if (c.open() && !c.ws.isClosed()) {
                c.ws.close((short) 1000, "oracle feed drop");
            }
        }
    }

    synchronized int openConnections() {
        int n = 0;
        for (Connection c : connections) {
            if (c.open()) {
                n++;
            }
        }
        return n;
    }

    /** The only open connection that subscribed to new tokens, or null. */
    synchronized Connection current() {
        Connection found = null;
        for (Connection c : connections) {
            if (c.open() && c.newTokens) {
                found = c;
            }
        }
        return found;
    }

    synchronized boolean currentSubscribes(String mint) {
        Connection c = current();
        return c != null && c.mints.contains(mint);
    }

    /** Mints the current connection is subscribed to (a copy). */
    synchronized Set<String> currentMints() {
        Connection c = current();
        return c == null ? Set.of() : new HashSet<>(c.mints);
    }

    synchronized List<Connection> connections() {
        return new ArrayList<>(connections);
    }

    synchronized List<Delivery> deliveries() {
        return new ArrayList<>(deliveries);
    }

    synchronized int maxConcurrentConnections() {
        return maxConcurrent;
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the test is over
            }
        }
    }
}
