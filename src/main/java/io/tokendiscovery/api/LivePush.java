package io.tokendiscovery.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.TokenStore;
import io.tokendiscovery.cache.TokenUpdate;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Live price push to UIs over the vertx-websocket server ({@code routes/live-push.camel.yaml}). A client sends
 * {@code {"subscribe":["<mint>",...]}} for those mints' ticks, {@code {"unsubscribe":[...]}}, or
 * {@code {"feed":"hot"}} for every tick plus the hot feed every few seconds.
 *
 * <p>Slow clients never slow ingest: {@link #publish} only appends to a per-client bounded queue (the oldest
 * message is dropped and counted when it is full) and each client has at most {@value #MAX_IN_FLIGHT} writes in
 * flight through the vertx-websocket producer (asynchronous); a stalled client's writes never complete, so its
 * queue stops draining and its memory stays bounded.
 */
@Component("livePush")
public class LivePush {

    private static final Logger log = LoggerFactory.getLogger(LivePush.class);
    static final String EVENT = "CamelVertxWebsocket.event";
    static final String CONNECTION_KEY = "CamelVertxWebsocket.connectionKey";
    static final int MAX_IN_FLIGHT = 32;

    private final CamelContext camel;
    private final ObjectMapper json;
    private final Clock clock;
    private final int queueCapacity;
    private final String endpointUri;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final Counter dropped;
    private final Timer latency;
    private volatile AsyncProducer producer;

    public LivePush(CamelContext camel, ObjectMapper json, Clock clock, TokenDiscoveryProperties properties,
            MeterRegistry meters) {
        this.camel = camel;
        this.json = json;
        this.clock = clock;
        this.queueCapacity = properties.live().clientQueueCapacity();
        this.endpointUri = "vertx-websocket:" + properties.live().host() + ":" + properties.live().port()
                + properties.live().path();
        this.dropped = Counter.builder("tokendiscovery.live.dropped")
                .description("Live messages dropped (oldest first) because a client was too slow")
                .register(meters);
        this.latency = Timer.builder("tokendiscovery.live.push.latency")
                .description("Frame received -> tick written to a UI client")
                .publishPercentiles(0.5, 0.99, 0.999)
                .register(meters);
        Gauge.builder("tokendiscovery.live.clients", clients, Map::size)
                .description("Connected live-push clients")
                .register(meters);
    }

    /** Connection events and client messages from the vertx-websocket consumer. */
    public void onEvent(@Header(EVENT) Object event, @Header(CONNECTION_KEY) String key, Exchange exchange) {
        switch (String.valueOf(event)) {
            case "OPEN" -> clients.put(key, new Client(key));
            case "CLOSE", "ERROR" -> clients.remove(key);
            case "MESSAGE" -> onMessage(key, exchange.getMessage().getBody(String.class));
            default -> log.debug("Ignoring live-push event {}", event);
        }
    }

    private void onMessage(String key, String text) {
        Client client = clients.computeIfAbsent(key, Client::new);
        try {
            JsonNode message = json.readTree(text);
            message.path("subscribe").forEach(mint -> client.mints.add(mint.asText()));
            message.path("unsubscribe").forEach(mint -> client.mints.remove(mint.asText()));
            if (message.has("feed")) {
                client.allTicks = "hot".equals(message.get("feed").asText());
            }
        } catch (Exception e) {
            client.offer("{\"type\":\"error\",\"detail\":\"expected {\\\"subscribe\\\":[...]} or {\\\"feed\\\":\\\"hot\\\"}\"}");
        }
    }

    /**
     * After the ingest's Redis write of a batch: each change that set a newer price goes to every client that wants
     * it, in order. Never blocks.
     *
     * @param outcomes the Redis outcome of each update, same order
     */
    public void publishAll(List<TokenUpdate> updates, List<TokenStore.Outcome> outcomes) {
        if (clients.isEmpty()) {
            return;
        }
        for (int i = 0; i < updates.size(); i++) {
            publish(updates.get(i), outcomes.get(i));
        }
    }

    private void publish(TokenUpdate update, TokenStore.Outcome outcome) {
        if (update.tick() == null || outcome != TokenStore.Outcome.NEWEST) {
            return;
        }
        String message = "{\"type\":\"tick\"," + update.tick().substring(1);
        for (Client client : clients.values()) {
            if (client.allTicks || client.mints.contains(update.mint())) {
                client.offer(message, update.receivedAtMillis());
            }
        }
    }

    /** The hot feed to clients of the hot feed (the ingest keeps it current; this is the periodic snapshot). */
    public void publishHot(List<Map<String, Object>> hot) throws Exception {
        if (clients.isEmpty()) {
            return;
        }
        String message = "{\"type\":\"hot\",\"tokens\":" + json.writeValueAsString(hot) + "}";
        for (Client client : clients.values()) {
            if (client.allTicks) {
                client.offer(message);
            }
        }
    }

    public int clientCount() {
        return clients.size();
    }

    private AsyncProducer producer() throws Exception {
        AsyncProducer current = producer;
        if (current == null) {
            synchronized (this) {
                if (producer == null) {
                    AsyncProducer created = camel.getEndpoint(endpointUri).createAsyncProducer();
                    ServiceHelper.startService(created);
                    producer = created;
                }
                current = producer;
            }
        }
        return current;
    }

    /** One UI connection: a bounded queue, drop-oldest, a bounded number of writes in flight. */
    private final class Client {
        final String key;
        final Set<String> mints = ConcurrentHashMap.newKeySet();
        volatile boolean allTicks;
        private final ArrayDeque<Object[]> queue = new ArrayDeque<>();
        private int inFlight;

        Client(String key) {
            this.key = key;
        }

        void offer(String message) {
            offer(message, -1);
        }

        void offer(String message, long receivedAt) {
            synchronized (this) {
                if (queue.size() >= queueCapacity) {
                    queue.pollFirst();
                    dropped.increment();
                }
                queue.addLast(new Object[] {message, receivedAt});
            }
            pump();
        }

        private void pump() {
            while (true) {
                Object[] next;
                synchronized (this) {
                    if (inFlight >= MAX_IN_FLIGHT || queue.isEmpty() || !clients.containsKey(key)) {
                        return;
                    }
                    next = queue.pollFirst();
                    inFlight++;
                }
                send(next);
            }
        }

        private void send(Object[] next) {
            try {
                Exchange exchange = new DefaultExchange(camel);
                exchange.getMessage().setBody(next[0]);
                exchange.getMessage().setHeader(CONNECTION_KEY, key);
                long receivedAt = (Long) next[1];
                producer().process(exchange, doneSync -> {
                    if (receivedAt > 0 && exchange.getException() == null) {
                        latency.record(Math.max(0, clock.millis() - receivedAt), TimeUnit.MILLISECONDS);
                    }
                    synchronized (this) {
                        inFlight--;
                    }
                    if (exchange.getException() != null) {
                        clients.remove(key);
                    } else if (!doneSync) {
                        pump();
                    }
                });
            } catch (Exception e) {
                log.debug("Live push to {} failed: {}", key, e.toString());
                clients.remove(key);
            }
        }
    }
}
