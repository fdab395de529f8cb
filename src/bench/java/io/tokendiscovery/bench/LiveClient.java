package io.tokendiscovery.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UI client of the live push ({@code ws://127.0.0.1:PORT/ws/live}) asking for every tick ({@code {"feed":"hot"}}),
 * reading as fast as messages come. Each tick carries the app's receive time of its frame, so the client measures
 * frame received by the app -> tick received by a UI (the app's own timer {@code tokendiscovery.live.push.latency}
 * stops when the write completes on its side).
 */
final class LiveClient implements AutoCloseable {

    private final WebSocket socket;
    private final AtomicLong messages = new AtomicLong();
    private final LatencyRecorder latencies = new LatencyRecorder();

    LiveClient(int port) throws Exception {
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/live"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        if (last) {
                            messages.incrementAndGet();
                            onMessage(data.toString());
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        System.out.println("[live] client error after " + messages.get() + " messages: " + error);
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        System.out.println("[live] closed by the app (" + statusCode + " " + reason + ") after "
                                + messages.get() + " messages");
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        socket.sendText("{\"feed\":\"hot\"}", true).get(5, TimeUnit.SECONDS);
    }

    /** Ticks carry the app's receive time of their frame (epoch ms, same machine): received -> here. */
    private void onMessage(String text) {
        int at = text.indexOf("\"receivedAt\":");
        if (at < 0 || !text.startsWith("{\"type\":\"tick\"")) {
            return;
        }
        int from = at + "\"receivedAt\":".length();
        int to = from;
        while (to < text.length() && Character.isDigit(text.charAt(to))) {
            to++;
        }
        latencies.record(System.currentTimeMillis() - Long.parseLong(text.substring(from, to)));
    }

    /** Frame received by the app -> tick received here, ms; drained per measured window. */
    LatencyRecorder latencies() {
        return latencies;
    }

    long messages() {
        return messages.get();
    }

    @Override
    public void close() {
        socket.abort();
    }
}
