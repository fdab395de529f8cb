package io.tokendiscovery;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A minimal Chrome DevTools Protocol client on the JDK's HTTP and WebSocket clients. */
public final class DevTools implements WebSocket.Listener, AutoCloseable {
    private final ObjectMapper json;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private DevTools(ObjectMapper json) {
        this.json = json;
    }

    public static DevTools open(int port, ObjectMapper json) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String pageUrl = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            for (JsonNode target : json.readTree(list)) {
                if ("page".equals(target.path("type").asText())) {
                    return target.path("webSocketDebuggerUrl").asText();
                }
            }
            return null;
        }, url -> url != null && !url.isEmpty());
        DevTools devTools = new DevTools(json);
        devTools.socket = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), devTools).get(10, TimeUnit.SECONDS);
        return devTools;
    }

    public JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        socket.sendText(json.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true);
        return result.get(10, TimeUnit.SECONDS);
    }

    public String evaluate(String expression) throws Exception {
        JsonNode reply = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        return reply.path("result").path("result").path("value").asText("");
    }

    /** Evaluates an expression that may return a promise (e.g. a fetch) and answers its value as text. */
    public String evaluateAwaiting(String expression) throws Exception {
        JsonNode reply = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        return reply.path("result").path("result").path("value").asText("");
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                JsonNode message = json.readTree(partial.toString());
                CompletableFuture<JsonNode> waiting = message.has("id") ? pending.remove(message.get("id").asInt()) : null;
                if (waiting != null) {
                    waiting.complete(message);
                }
            } catch (Exception ignored) {
                // events we do not wait for
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public void close() {
        socket.abort();
    }
}
