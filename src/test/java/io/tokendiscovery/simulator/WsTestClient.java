package io.tokendiscovery.simulator;

import static org.awaitility.Awaitility.await;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** A real Vert.x WebSocket client that records what it receives. */
final class WsTestClient implements AutoCloseable {

    final WebSocket ws;
    private final ConcurrentLinkedQueue<String> messages = new ConcurrentLinkedQueue<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicInteger pongs = new AtomicInteger();
    private final boolean keep;
    volatile boolean closed;
    volatile Short closeStatus;
    volatile String closeReason;
    volatile Throwable failure;

    private WsTestClient(WebSocket ws, boolean keep) {
        this.ws = ws;
        this.keep = keep;
        ws.textMessageHandler(text -> {
            if (keep) {
                messages.add(text);
            }
            received.incrementAndGet();
        });
        ws.pongHandler(b -> pongs.incrementAndGet());
        ws.exceptionHandler(t -> failure = t);
        ws.closeHandler(v -> {
            closeStatus = ws.closeStatusCode();
            closeReason = ws.closeReason();
            closed = true;
        });
    }

    static WsTestClient connect(WebSocketClient client, String url) throws Exception {
        return connect(client, url, true);
    }

    static WsTestClient connect(WebSocketClient client, String url, boolean keepMessages) throws Exception {
        WebSocket ws = client.connect(new WebSocketConnectOptions().setAbsoluteURI(url))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return new WsTestClient(ws, keepMessages);
    }

    void send(String text) throws Exception {
        ws.writeTextMessage(text).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    long count() {
        return received.get();
    }

    int pongs() {
        return pongs.get();
    }

    void ping() {
        ws.writePing(Buffer.buffer("p"));
    }

    List<String> messages() {
        return new ArrayList<>(messages);
    }

    void clear() {
        messages.clear();
    }

    /** Waits for the first message matching {@code p} and returns it. */
    String awaitMessage(Predicate<String> p) {
        if (!keep) {
            throw new IllegalStateException("client does not keep messages");
        }
        String[] found = new String[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (String m : messages) {
                if (p.test(m)) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Waits until {@code text} arrived; everything the server wrote before it has arrived too. */
    void awaitExactly(String text) {
        awaitMessage(text::equals);
    }

    @Override
    public void close() {
        if (!closed) {
            ws.close();
        }
    }
}
