package io.tokendiscovery.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** A test UI client of the live-push socket: records every message and how (if) the server closed it. */
public final class LiveClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    public final List<String> messages = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Close> closed = new CompletableFuture<>();
    public final WebSocket socket;

    public record Close(Short code, String reason) {}

    private LiveClient(WebSocket socket) {
        this.socket = socket;
        socket.textMessageHandler(messages::add);
        socket.closeHandler(v -> closed.complete(new Close(socket.closeStatusCode(), socket.closeReason())));
    }

    public static Future<LiveClient> open(Vertx vertx, int port, String origin, int maxFrameSize) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("localhost").setPort(port)
                .setURI("/ws/live");
        if (origin != null) {
            options.addHeader("Origin", origin);
        }
        return vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(maxFrameSize)
                        .setMaxMessageSize(Math.max(maxFrameSize, 1 << 22)))
                .connect(options).map(LiveClient::new);
    }

    public static LiveClient connect(Vertx vertx, int port) throws Exception {
        return open(vertx, port, null, 65536).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    public void send(String text) {
        socket.writeTextMessage(text);
    }

    public void subscribe(List<String> mints) {
        send("{\"subscribe\":[" + mints.stream().map(m -> "\"" + m + "\"").collect(Collectors.joining(",")) + "]}");
    }

    public List<JsonNode> ofType(String type) {
        return messages.stream().map(LiveClient::parse).filter(m -> type.equals(m.path("type").asText())).toList();
    }

    public static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(text, e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
