package io.tokendiscovery.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.vertx.core.http.ServerWebSocket;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Live price push to UIs over the vertx-websocket server ({@code routes/live-push.camel.yaml}, docs/api.md#live-push).
 * A client sends {@code {"subscribe":["<mint>",...]}} for those mints' ticks, {@code {"unsubscribe":[...]}}, or
 * {@code {"feed":"hot"}} for every tick plus the hot feed every few seconds.
 *
 * <p>Ticks reach this bean from Redis ({@link #fanOut}, the {@code live-ticks-subscribe} route), on every replica
 * alike: the feed leader's ingest only publishes them ({@link LiveFanOut}). {@link #fanOut} runs on the listener
 * container's single fan-out thread, never on the ingest thread; it only appends to per-client bounded queues (the
 * oldest message is dropped and counted when one is full). Each client has at most {@value #MAX_IN_FLIGHT} writes in
 * flight on its {@link ServerWebSocket} (asynchronous); a stalled client's writes never complete, so its queue stops
 * draining and its memory stays bounded.
 *
 * <p>Limits ({@code tokendiscovery.live.*}): clients per replica (close 1013), subscribed mints per client (1008),
 * messages per second per client (1008), message size (1009; the server's frame and message limits, plus a check
 * here). Invalid mints are answered with an error message and not stored. Browser origins are checked at the
 * handshake ({@link LiveOrigins}).
 */
@Component("livePush")
public class LivePush {

    private static final Logger log = LoggerFactory.getLogger(LivePush.class);
    static final String EVENT = "CamelVertxWebsocket.event";
    static final String CONNECTION_KEY = "CamelVertxWebsocket.connectionKey";
    static final int MAX_IN_FLIGHT = 32;
    /** A Solana address: base58, 32 bytes (32 to 44 characters). */
    static final Pattern MINT = Pattern.compile("[1-9A-HJ-NP-Za-km-z]{32,44}");

    /** RFC 6455 close codes. */
    public static final short POLICY_VIOLATION = 1008;
    public static final short MESSAGE_TOO_BIG = 1009;
    public static final short TRY_AGAIN_LATER = 1013;

    private final ObjectMapper json;
    private final Clock clock;
    private final int queueCapacity;
    private final int maxClients;
    private final int maxMints;
    private final int maxMessageBytes;
    private final int maxMessagesPerSecond;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final Map<String, Client> byRemoteAddress = new ConcurrentHashMap<>();
    private final Map<String, Set<Client>> byMint = new ConcurrentHashMap<>();
    private final Set<Client> allTicks = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final Counter dropped;
    private final Timer latency;
    private final MeterRegistry meters;

    public LivePush(ObjectMapper json, Clock clock, TokenDiscoveryProperties properties, MeterRegistry meters) {
        this.json = json;
        this.clock = clock;
        this.meters = meters;
        TokenDiscoveryProperties.Live live = properties.live();
        this.queueCapacity = live.clientQueueCapacity();
        this.maxClients = live.maxClients();
        this.maxMints = live.maxMintsPerClient();
        this.maxMessageBytes = (int) Math.min(Integer.MAX_VALUE, live.maxMessageSize().toBytes());
        this.maxMessagesPerSecond = live.maxMessagesPerSecond();
        this.dropped = Counter.builder("tokendiscovery.live.dropped")
                .description("Live messages dropped (oldest first) because a client was too slow")
                .register(meters);
        this.latency = Timer.builder("tokendiscovery.live.push.latency")
                .description("Frame received -> tick written to a UI client")
                .publishPercentiles(0.5, 0.99, 0.999)
                .register(meters);
        Gauge.builder("tokendiscovery.live.clients", open, AtomicInteger::get)
                .description("Connected live-push clients")
                .register(meters);
        Gauge.builder("tokendiscovery.live.subscriptions", subscriptions, AtomicInteger::get)
                .description("Mints subscribed by the connected live-push clients, summed over clients")
                .register(meters);
        for (String reason : List.of("max-clients", "max-mints", "rate", "too-big")) {
            closed(reason);
        }
        for (String code : List.of("invalid-mint", "bad-message")) {
            clientError(code);
        }
    }

    private Counter closed(String reason) {
        return Counter.builder("tokendiscovery.live.closed").tag("reason", reason)
                .description("Live-push clients closed for going over a limit").register(meters);
    }

    private Counter clientError(String code) {
        return Counter.builder("tokendiscovery.live.client.errors").tag("code", code)
                .description("Client messages answered with an error message").register(meters);
    }

    /**
     * Connection events and client messages from the vertx-websocket consumer. The consumer runs each event as an
     * unordered task on Vert.x's worker pool, so a MESSAGE can be handled before its connection's OPEN.
     */
    public void onEvent(@Header(EVENT) Object event, @Header(CONNECTION_KEY) String key, Exchange exchange) {
        switch (String.valueOf(event)) {
            case "OPEN" -> onOpen(key, exchange.getMessage().getBody(ServerWebSocket.class));
            case "CLOSE" -> remove(key);
            case "MESSAGE" -> onMessage(key, exchange.getMessage().getBody(String.class));
            default -> log.debug("Ignoring live-push event {}", event);
        }
    }

    private void onOpen(String key, ServerWebSocket socket) {
        Client client = clients.computeIfAbsent(key, Client::new);
        if (socket == null) {
            return;
        }
        // a message over the size limit, split into frames that each pass the frame limit, is refused by Vert.x
        // as an exception on the socket: close it with 1009 (a single oversized frame is closed by Vert.x itself)
        socket.exceptionHandler(e -> {
            if (String.valueOf(e.getMessage()).contains("max message size") || LiveOrigins.frameTooBig(e)) {
                client.close(MESSAGE_TOO_BIG, tooBig(), "too-big");
            }
        });
        boolean over;
        synchronized (open) {
            over = open.get() >= maxClients;
            if (!over) {
                open.incrementAndGet();
                client.counted = true;
            }
        }
        client.attach(socket);
        if (socket.remoteAddress() != null) {
            client.remoteAddress = socket.remoteAddress().toString();
            byRemoteAddress.put(client.remoteAddress, client);
        }
        if (socket.isClosed()) {
            remove(key);   // its CLOSE was handled before this OPEN
        } else if (over) {
            client.close(TRY_AGAIN_LATER, "replica at its limit of " + maxClients + " clients; retry later",
                    "max-clients");
        }
    }

    private String tooBig() {
        return "message too big: at most " + maxMessageBytes + " bytes";
    }

    private void onMessage(String key, String text) {
        Client client = clients.computeIfAbsent(key, Client::new);
        if (client.closing) {
            return;
        }
        if (!client.allowMessage()) {
            client.close(POLICY_VIOLATION, "too many messages: at most " + maxMessagesPerSecond + " per second",
                    "rate");
            return;
        }
        if (text == null || text.length() > maxMessageBytes) {
            client.close(MESSAGE_TOO_BIG, tooBig(), "too-big");
            return;
        }
        JsonNode message;
        try {
            message = json.readTree(text);
        } catch (Exception e) {
            message = null;
        }
        if (message == null || !message.isObject()
                || !(message.has("subscribe") || message.has("unsubscribe") || message.has("feed"))) {
            clientError("bad-message").increment();
            client.offer(error("bad-message",
                    "expected {\"subscribe\":[mints]}, {\"unsubscribe\":[mints]} or {\"feed\":\"hot\"|\"none\"}", List.of()));
            return;
        }
        List<String> invalid = new ArrayList<>();
        int invalidCount = 0;
        for (JsonNode mint : message.path("unsubscribe")) {
            client.unsubscribe(mint.asText());
        }
        for (JsonNode mint : message.path("subscribe")) {
            String value = mint.isTextual() ? mint.asText() : null;
            if (value == null || !MINT.matcher(value).matches()) {
                if (invalid.size() < 10) {
                    invalid.add(mint.isTextual() ? value.substring(0, Math.min(60, value.length())) : mint.toString());
                }
                invalidCount++;
                continue;
            }
            if (!client.subscribe(value)) {
                client.close(POLICY_VIOLATION, "too many mints: at most " + maxMints + " per client", "max-mints");
                return;
            }
        }
        if (message.has("feed")) {
            client.setAllTicks("hot".equals(message.get("feed").asText()));
        }
        if (invalidCount > 0) {
            clientError("invalid-mint").increment(invalidCount);
            client.offer(error("invalid-mint", invalidCount + " invalid mint(s) ignored (expected base58 addresses,"
                    + " 32 to 44 characters)", invalid));
        }
        client.offer("{\"type\":\"subscribed\",\"mints\":" + client.mints.size() + ",\"hot\":" + client.allTicks + "}");
    }

    private String error(String code, String detail, List<String> mints) {
        ObjectNode node = json.createObjectNode().put("type", "error").put("code", code).put("detail", detail);
        if (!mints.isEmpty()) {
            mints.forEach(node.putArray("mints")::add);
        }
        return node.toString();
    }

    /**
     * A batch of ticks published by the feed leader ({@link LiveFanOut}: {@code {"at":..,"ticks":[...]}}), from the
     * {@code live-ticks-subscribe} route: each tick to every local client that wants it, in order. Never blocks.
     */
    public void fanOut(String batch) throws Exception {
        if (open.get() == 0 && clients.isEmpty()) {
            return;
        }
        JsonNode ticks = json.readTree(batch).path("ticks");
        for (JsonNode tick : ticks) {
            String mint = tick.path("mint").asText();
            Set<Client> wanting = byMint.get(mint);
            if ((wanting == null || wanting.isEmpty()) && allTicks.isEmpty()) {
                continue;
            }
            ObjectNode message = json.createObjectNode().put("type", "tick");
            message.setAll((ObjectNode) tick);
            String text = message.toString();
            long receivedAt = tick.path("receivedAt").asLong(-1);
            for (Client client : allTicks) {
                client.offer(text, receivedAt);
            }
            if (wanting != null) {
                for (Client client : wanting) {
                    if (!client.allTicks) {
                        client.offer(text, receivedAt);
                    }
                }
            }
        }
    }

    /** The hot feed to clients of the hot feed (the ingest keeps it current; this is the periodic snapshot). */
    public void publishHot(List<Map<String, Object>> hot) throws Exception {
        sweep();
        if (allTicks.isEmpty()) {
            return;
        }
        String message = "{\"type\":\"hot\",\"tokens\":" + json.writeValueAsString(hot) + "}";
        for (Client client : allTicks) {
            client.offer(message);
        }
    }

    /**
     * Forgets entries that never got a socket: a MESSAGE handled after its connection's CLOSE (the consumer's tasks
     * are unordered) would otherwise leave one behind.
     */
    private void sweep() {
        long now = System.nanoTime();
        clients.values().removeIf(client -> {
            boolean orphan = client.socket == null && now - client.createdAt > TimeUnit.SECONDS.toNanos(30);
            if (orphan) {
                client.detach();
            }
            return orphan;
        });
    }

    /** Connected clients (within the limit) of this replica. */
    public int clientCount() {
        return open.get();
    }

    private void remove(String key) {
        Client client = clients.remove(key);
        if (client != null) {
            if (client.remoteAddress != null) {
                byRemoteAddress.remove(client.remoteAddress, client);
            }
            client.detach();
        }
    }

    /**
     * A frame over the frame limit (tokendiscovery.live.max-message-size) is refused by the WebSocket decoder from
     * its header, before its payload is read, and Vert.x then drops the connection: counted here, and when the
     * connection's OPEN was already handled it first gets 1009 with the reason (a client that sends it right after
     * the handshake only sees the connection drop, 1006). Called on the connection's event loop ({@link LiveOrigins}).
     */
    void frameTooBig(String remoteAddress) {
        Client client = remoteAddress == null ? null : byRemoteAddress.get(remoteAddress);
        if (client != null) {
            client.close(MESSAGE_TOO_BIG, tooBig(), "too-big");
        } else {
            closed("too-big").increment();
        }
    }

    /** One UI connection: a bounded queue, drop-oldest, a bounded number of writes in flight. */
    private final class Client {
        final String key;
        final Set<String> mints = ConcurrentHashMap.newKeySet();
        volatile boolean allTicks;
        volatile boolean closing;
        boolean counted;
        private volatile ServerWebSocket socket;
        volatile String remoteAddress;
        private short pendingCode;
        private String pendingReason;
        private final ArrayDeque<Object[]> queue = new ArrayDeque<>();
        private int inFlight;
        private double tokens = maxMessagesPerSecond;
        private long refilledAt = System.nanoTime();
        private boolean gone;
        private boolean pumping;
        private boolean again;
        final long createdAt = System.nanoTime();

        Client(String key) {
            this.key = key;
        }

        /** Token bucket: max-messages-per-second, refilled continuously, burst of the same size. */
        synchronized boolean allowMessage() {
            long now = System.nanoTime();
            tokens = Math.min(maxMessagesPerSecond, tokens + (now - refilledAt) / 1e9 * maxMessagesPerSecond);
            refilledAt = now;
            if (tokens < 1) {
                return false;
            }
            tokens--;
            return true;
        }

        /** @return false when the client is at its limit of mints */
        boolean subscribe(String mint) {
            synchronized (this) {
                if (gone || mints.contains(mint)) {
                    return true;
                }
                if (mints.size() >= maxMints) {
                    return false;
                }
                mints.add(mint);
                subscriptions.incrementAndGet();
            }
            byMint.computeIfAbsent(mint, m -> ConcurrentHashMap.newKeySet()).add(this);
            return true;
        }

        void unsubscribe(String mint) {
            synchronized (this) {
                if (!mints.remove(mint)) {
                    return;
                }
                subscriptions.decrementAndGet();
            }
            byMint.computeIfPresent(mint, (m, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }

        synchronized void setAllTicks(boolean on) {
            if (gone) {
                return;
            }
            allTicks = on;
            if (on) {
                LivePush.this.allTicks.add(this);
            } else {
                LivePush.this.allTicks.remove(this);
            }
        }

        void attach(ServerWebSocket socket) {
            short code;
            String reason;
            synchronized (this) {
                this.socket = socket;
                code = pendingCode;
                reason = pendingReason;
            }
            if (code != 0) {
                socket.close(code, reason);
            } else {
                pump();
            }
        }

        /** Closes the connection with a close code and reason (at OPEN if it is not open yet), counted once. */
        void close(short code, String reason, String metric) {
            ServerWebSocket current;
            synchronized (this) {
                if (closing) {
                    return;
                }
                closing = true;
                current = socket;
                if (current == null) {
                    pendingCode = code;
                    pendingReason = reason;
                }
                queue.clear();
            }
            closed(metric).increment();
            log.debug("Closing live-push client {}: {} {}", key, code, reason);
            forget();
            if (current != null) {
                current.close(code, reason);
            }
        }

        /** Stops every delivery to this client (its index entries and queue), keeps the map entry until CLOSE. */
        private void forget() {
            LivePush.this.allTicks.remove(this);
            for (String mint : List.copyOf(mints)) {
                unsubscribe(mint);
            }
        }

        void detach() {
            synchronized (this) {
                gone = true;
                closing = true;
                queue.clear();
            }
            forget();
            synchronized (open) {
                if (counted) {
                    counted = false;
                    open.decrementAndGet();
                }
            }
        }

        void offer(String message) {
            offer(message, -1);
        }

        void offer(String message, long receivedAt) {
            synchronized (this) {
                if (closing) {
                    return;
                }
                if (queue.size() >= queueCapacity) {
                    queue.pollFirst();
                    dropped.increment();
                }
                queue.addLast(new Object[] {message, receivedAt});
            }
            pump();
        }

        /** Drains the queue into the socket; one drainer at a time, completions re-enter through {@code again}. */
        private void pump() {
            synchronized (this) {
                if (pumping) {
                    again = true;
                    return;
                }
                pumping = true;
            }
            boolean done = false;
            try {
                while (true) {
                    Object[] next;
                    ServerWebSocket target;
                    synchronized (this) {
                        if (socket == null || closing || inFlight >= MAX_IN_FLIGHT || queue.isEmpty()) {
                            if (again) {
                                again = false;
                                continue;
                            }
                            pumping = false;
                            done = true;
                            return;
                        }
                        next = queue.pollFirst();
                        target = socket;
                        inFlight++;
                    }
                    long receivedAt = (Long) next[1];
                    target.writeTextMessage((String) next[0]).onComplete(written -> {
                        if (written.succeeded() && receivedAt > 0) {
                            latency.record(Math.max(0, clock.millis() - receivedAt), TimeUnit.MILLISECONDS);
                        }
                        synchronized (this) {
                            inFlight--;
                        }
                        if (written.succeeded()) {
                            pump();
                        }
                    });
                }
            } finally {
                if (!done) {
                    synchronized (this) {
                        pumping = false;
                    }
                }
            }
        }
    }
}
