package io.tokendiscovery.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Owns the ONE PumpPortal WebSocket of this process (PumpPortal bans clients that open several): connects,
 * (re-)subscribes everything on every connect, pings, watches for stalls, reconnects forever with capped
 * exponential backoff and jitter, and hands every frame to a {@link FrameListener} in receive order, stamped with a
 * strictly increasing receive sequence.
 *
 * <p>All state is confined to one Vert.x context (event-loop thread); public methods hop onto it. The stock
 * camel-vertx-websocket client consumer was measured to reorder frames and cannot ping or resubscribe
 * (STACK.md gotcha 3), hence this class and the {@code pumpportal:} Camel component around it.
 */
@Component("pumpPortalClient")
public class PumpPortalClient {

    private static final Logger log = LoggerFactory.getLogger(PumpPortalClient.class);
    static final String SUBSCRIBE_NEW_TOKEN = "{\"method\":\"subscribeNewToken\"}";
    static final String SUBSCRIBE_MIGRATION = "{\"method\":\"subscribeMigration\"}";
    /**
     * The limit is 200 messages a second as the server counts them; network jitter can squeeze two of our windows
     * closer together on arrival, so ours is 10 % wider.
     */
    private static final long RATE_WINDOW_MILLIS = 1100;
    /**
     * On start, the first connect waits for the rebuild of the subscription set from Redis at most this long (a hung
     * Redis must not keep the feed away; the window job retries the rebuild and its diff adds the mints later).
     */
    static final long RESTORE_WAIT_MILLIS = 5000;
    /** While the {@link FeedFence} is closed, a connect is retried this often (no backoff: nothing failed). */
    static final long FENCE_POLL_MILLIS = 200;

    private final Vertx vertx;
    private final TokenDiscoveryProperties.PumpPortal config;
    private final Supplier<String> urlSupplier;
    private final TradeSubscriptions subscriptions;
    private final Clock clock;
    private final ReceiveClock receiveClock;
    private final Counter reconnects;
    private final Counter refusals;
    private final Counter zombieResubscribes;
    private final Counter fenceTrips;
    private final Counter fencedFrames;
    private volatile FeedFence fence = FeedFence.NONE;

    // Confined to the Vert.x context:
    private Context context;
    /** One client per connection attempt: closing it closes its TCP connection at once, not after a handshake. */
    private WebSocketClient client;
    private WebSocketClientOptions clientOptions;
    private WebSocket socket;
    private FrameListener listener;
    private long generation;
    private volatile ConnectionState state = ConnectionState.STOPPED;
    private volatile long stateSince;
    private volatile long downSince;
    private volatile int failedAttempts;
    private long connectedAt;
    private long lastFrameAt;
    private long lastDataFrameAt;
    private long watchdogTimer = -1;
    private long drainTimer = -1;
    private long reconnectTimer = -1;
    private volatile boolean pausedByConsumer;
    private long lastPingAt;
    private boolean pingOutstanding;
    private final Deque<String> outbox = new ArrayDeque<>();
    private final Deque<Long> sentAt = new ArrayDeque<>();
    private volatile boolean tradesRefused;
    private volatile String lastDisconnectReason = "";

    @Autowired
    public PumpPortalClient(Vertx vertx, TokenDiscoveryProperties properties, TradeSubscriptions subscriptions,
            Clock clock, MeterRegistry meters, ObjectProvider<PumpPortalUrl> simulatorUrl,
            ObjectProvider<FeedFence> fence) {
        this(vertx, properties, subscriptions, clock, meters, () -> {
            if (properties.pumpportal().hasUrl()) {
                return properties.pumpportal().url();
            }
            PumpPortalUrl fallback = simulatorUrl.getIfAvailable();
            if (fallback == null) {
                throw new IllegalStateException(
                        "tokendiscovery.pumpportal.url is blank and no simulator is running: set the feed URL");
            }
            return fallback.url();
        });
        this.fence = fence.getIfAvailable(() -> FeedFence.NONE);
    }

    /** @param urlSupplier asked before every connection attempt, so a moved endpoint is followed */
    public PumpPortalClient(Vertx vertx, TokenDiscoveryProperties properties, TradeSubscriptions subscriptions,
            Clock clock, MeterRegistry meters, Supplier<String> urlSupplier) {
        this.vertx = vertx;
        this.config = properties.pumpportal();
        this.subscriptions = subscriptions;
        this.clock = clock;
        this.receiveClock = new ReceiveClock(clock);
        this.urlSupplier = urlSupplier;
        this.stateSince = clock.millis();
        this.reconnects = Counter.builder("tokendiscovery.pumpportal.reconnects")
                .description("Connection attempts after the first one")
                .register(meters);
        this.refusals = Counter.builder("tokendiscovery.pumpportal.trade.refusals")
                .description("Funded-key refusal notices received for trade subscriptions")
                .register(meters);
        this.zombieResubscribes = Counter.builder("tokendiscovery.pumpportal.zombie.resubscribes")
                .description("Mints re-subscribed because their trades had gone silent")
                .register(meters);
        this.fenceTrips = Counter.builder("tokendiscovery.pumpportal.fence.trips")
                .description("Connections closed because the feed leadership was no longer confirmed (a frozen or "
                        + "partitioned leader)")
                .register(meters);
        this.fencedFrames = Counter.builder("tokendiscovery.pumpportal.fenced.frames")
                .description("Frames received but not applied because the feed leadership was no longer confirmed")
                .register(meters);
        Gauge.builder("tokendiscovery.pumpportal.connection.state", this, c -> c.state.ordinal())
                .description("0 STOPPED, 1 CONNECTING, 2 SUBSCRIBING, 3 STREAMING, 4 BACKING_OFF")
                .register(meters);
        Gauge.builder("tokendiscovery.pumpportal.paused", this, c -> c.pausedByConsumer ? 1 : 0)
                .description("1 while the socket is paused because the receive queue is full (back-pressure)")
                .register(meters);
        // What the alert TokenDiscoveryFeedDisconnected reads: a threshold on this value (not `for:` over the state)
        // keeps the normal reconnects, a start and a takeover from ever making the alert pending.
        Gauge.builder("tokendiscovery.pumpportal.down", this, PumpPortalClient::downSeconds)
                .description("Seconds this replica's feed has been trying to (re)connect without streaming; 0 while "
                        + "streaming and on a replica that does not hold the feed")
                .baseUnit("seconds")
                .register(meters);
    }

    /** For tests: the fence asked before every frame handed on and every message sent (default: always open). */
    public void setFence(FeedFence fence) {
        this.fence = fence;
    }

    /**
     * Whether this process may still act on the feed ({@link FeedFence}). False also makes the client close its
     * connection (on its own thread, soon): the consumer calls it before applying a batch.
     */
    public boolean mayAct() {
        if (fence.mayAct()) {
            return true;
        }
        Context ctx = context;
        if (ctx != null) {
            ctx.runOnContext(v -> checkFence());
        }
        return false;
    }

    /** The consumer dropped frames it received because {@link #mayAct()} said no. */
    void countFencedFrames(int frames) {
        fencedFrames.increment(frames);
    }

    /** Opens the connection and keeps it open until {@link #stop()}. Only one listener at a time. */
    public synchronized void start(FrameListener frameListener) {
        if (context != null) {
            throw new IllegalStateException("The PumpPortal connection is already owned by another consumer: "
                    + "only one pumpportal: route may run per process");
        }
        this.context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
            this.listener = frameListener;
            this.clientOptions = new WebSocketClientOptions()
                    .setConnectTimeout((int) config.connectTimeout().toMillis())
                    // Vert.x would close the socket on a frame over its limit; we accept up to 16x the configured
                    // size and dead-letter the oversized ones ourselves, so one huge frame never costs the connection.
                    .setMaxFrameSize((int) Math.min(Integer.MAX_VALUE, config.maxFrameSize().toBytes() * 16))
                    .setMaxMessageSize((int) Math.min(Integer.MAX_VALUE, config.maxFrameSize().toBytes() * 16))
                    .setVerifyHost(true)
                    // a dead peer never answers our close frame: drop the TCP connection after 1 s instead of 10
                    .setClosingTimeout(1)
                    .setTryUsePerMessageCompression(false);
            List<String> trusted = trustCertificates();
            if (!trusted.isEmpty()) {
                PemTrustOptions pem = new PemTrustOptions();
                trusted.forEach(pem::addCertPath);
                clientOptions.setTrustOptions(pem);
            }
            long period = Math.max(250, Math.min(config.pingInterval().toMillis(), 1000));
            watchdogTimer = vertx.setPeriodic(period, id -> watchdog());
            connectAfterRestore();
        });
    }

    /**
     * This process takes the feed: its memory may know nothing (a standby, a restart) or be stale (leadership
     * regained). The trade subscription set is rebuilt from Redis on a worker thread first, so the first subscription
     * round after connecting carries every new token still in its window and every watched mint. The connect waits
     * for that at most {@link #RESTORE_WAIT_MILLIS}; a failed rebuild is retried by the window job.
     */
    private void connectAfterRestore() {
        subscriptions.requestRestore();
        long gen = generation;
        boolean[] started = {false};
        Runnable connectOnce = () -> {
            if (!started[0] && gen == generation && listener != null) {
                started[0] = true;
                connect();
            }
        };
        long waitTimer = vertx.setTimer(RESTORE_WAIT_MILLIS, id -> {
            if (!started[0] && gen == generation) {
                log.warn("The trade subscription set is not rebuilt from Redis after {} ms: connecting anyway; the "
                        + "subscription job adds the rebuilt mints once Redis answers", RESTORE_WAIT_MILLIS);
            }
            connectOnce.run();
        });
        context.executeBlocking(subscriptions::restoreIfNeeded, false).onComplete(done -> {
            vertx.cancelTimer(waitTimer);
            connectOnce.run();
        });
    }

    /** Closes the connection and stops reconnecting. */
    public synchronized void stop() {
        Context ctx = context;
        if (ctx == null) {
            return;
        }
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        ctx.runOnContext(v -> {
            generation++;
            cancelTimer(watchdogTimer);
            cancelTimer(drainTimer);
            cancelTimer(reconnectTimer);
            watchdogTimer = drainTimer = reconnectTimer = -1;
            outbox.clear();
            WebSocket closingSocket = socket;
            WebSocketClient closingClient = client;
            socket = null;
            client = null;
            setState(ConnectionState.STOPPED);
            listener = null;
            // Complete only once the connection is really closed: a feed leader hands over only after this, so two
            // replicas never hold a PumpPortal connection at the same time.
            Future<Void> socketClosed = closingSocket == null
                    ? Future.succeededFuture() : closingSocket.close((short) 1000, "client stopping");
            socketClosed.onComplete(closed -> {
                Future<Void> clientClosed = closingClient == null ? Future.succeededFuture() : closingClient.close();
                clientClosed.onComplete(ignored -> done.complete(null));
            });
        });
        try {
            done.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("PumpPortal client did not stop cleanly: {}", e.toString());
        }
        context = null;
    }

    public ConnectionState state() {
        return state;
    }

    /** When the connection entered its current state (epoch ms). */
    public long stateSince() {
        return stateSince;
    }

    /** True after PumpPortal refused trade subscriptions for lack of a funded API key. */
    public boolean tradesRefused() {
        return tradesRefused;
    }

    public String lastDisconnectReason() {
        return lastDisconnectReason;
    }

    /** Failed connection attempts since the last healthy period (drives the backoff). */
    public int failedAttempts() {
        return failedAttempts;
    }

    /** Sends the trade subscription changes since the last call as batched diffs. Called by a route on a timer. */
    public void sendSubscriptionChanges() {
        Context ctx = context;
        if (ctx == null) {
            return;
        }
        ctx.runOnContext(v -> {
            if (state != ConnectionState.STREAMING && state != ConnectionState.SUBSCRIBING) {
                return; // the full set goes out on the next connect
            }
            TradeSubscriptions.Diff diff = subscriptions.drainChanges();
            enqueueKeys("unsubscribeTokenTrade", diff.removed());
            enqueueKeys("subscribeTokenTrade", diff.added());
            drain();
        });
    }

    /**
     * Re-subscribes mints whose trades have been silent for {@code zombie-timeout}: PumpPortal sometimes stops
     * delivering a mint without saying so. Sent as batched unsubscribe + subscribe messages. Called on a timer.
     */
    public void resubscribeZombies() {
        Context ctx = context;
        if (ctx == null) {
            return;
        }
        ctx.runOnContext(v -> {
            if (state != ConnectionState.STREAMING || tradesRefused) {
                return;
            }
            List<String> zombies = subscriptions.takeZombies(config.zombieTimeout().toMillis());
            if (zombies.isEmpty()) {
                return;
            }
            log.info("Re-subscribing {} mints whose trades were silent for {}", zombies.size(), config.zombieTimeout());
            zombieResubscribes.increment(zombies.size());
            enqueueKeys("unsubscribeTokenTrade", zombies);
            enqueueKeys("subscribeTokenTrade", zombies);
            drain();
        });
    }

    /** The route saw the funded-key refusal notice: trades will not come on this key. */
    public void markTradesRefused() {
        if (!tradesRefused) {
            log.error("PumpPortal refused trade subscriptions: the API key is missing or its wallet holds less than "
                    + "0.02 SOL. New tokens and migrations keep streaming. Set PUMPPORTAL_API_KEY to a funded key.");
        }
        tradesRefused = true;
        refusals.increment();
    }

    /**
     * Back-pressure from the consumer's queue: stop reading the socket (TCP pushes back) until resumed. Called from the
     * frame handler (on the context), it pauses at once, so no further frame of the same read is delivered. While
     * paused the watchdog neither declares a stall nor waits for pongs (a paused socket cannot read them): a Redis
     * outage that holds the queue full must not turn into a reconnect loop (docs/pumpportal-client.md#back-pressure).
     */
    public void pauseReading() {
        Context ctx = context;
        if (ctx == null) {
            return;
        }
        if (Vertx.currentContext() == ctx) {
            pauseNow();
        } else {
            ctx.runOnContext(v -> pauseNow());
        }
    }

    private void pauseNow() {
        if (!pausedByConsumer) {
            log.debug("PumpPortal socket paused: the receive queue is full");
        }
        pausedByConsumer = true;
        if (socket != null) {
            socket.pause();
        }
    }

    public void resumeReading() {
        Context ctx = context;
        if (ctx != null) {
            ctx.runOnContext(v -> {
                if (pausedByConsumer) {
                    log.debug("PumpPortal socket resumed: the receive queue is half empty");
                }
                pausedByConsumer = false;
                // the silence while paused was ours: the stall and pong clocks start again now
                long now = clock.millis();
                lastFrameAt = now;
                lastDataFrameAt = now;
                lastPingAt = now;
                pingOutstanding = false;
                if (socket != null) {
                    socket.resume();
                }
            });
        }
    }

    /** True while the socket is paused because the consumer's receive queue is full. */
    public boolean pausedByConsumer() {
        return pausedByConsumer;
    }

    // ---- everything below runs on the Vert.x context ----

    private void connect() {
        if (!fence.mayAct()) {
            // the leadership is not (yet, or no longer) confirmed: no connection, nothing sent
            setState(ConnectionState.BACKING_OFF);
            lastDisconnectReason = "feed leadership not confirmed";
            cancelTimer(reconnectTimer);
            long gen = generation;
            reconnectTimer = vertx.setTimer(FENCE_POLL_MILLIS, id -> {
                reconnectTimer = -1;
                if (gen == generation && context != null) {
                    connect();
                }
            });
            return;
        }
        setState(ConnectionState.CONNECTING);
        long gen = ++generation;
        String url;
        try {
            url = urlSupplier.get();
        } catch (RuntimeException e) {
            scheduleReconnect(e.getMessage());
            return;
        }
        String display = redactedUrl(url);
        log.info("Connecting to PumpPortal at {}", display);
        client = vertx.createWebSocketClient(clientOptions);
        client.connect(connectOptions(url)).onComplete(result -> {
            if (gen != generation) {
                if (result.succeeded()) {
                    result.result().close();
                }
                return;
            }
            if (result.failed()) {
                scheduleReconnect(redact(String.valueOf(result.cause().getMessage())));
                return;
            }
            onOpen(result.result(), gen, display);
        });
    }

    private void onOpen(WebSocket ws, long gen, String display) {
        socket = ws;
        if (checkFence()) {
            return;
        }
        long now = clock.millis();
        connectedAt = now;
        lastFrameAt = now;
        lastDataFrameAt = now;
        setState(ConnectionState.SUBSCRIBING);
        ws.textMessageHandler(text -> onFrame(gen, text, false));
        ws.binaryMessageHandler(buffer -> onFrame(gen, buffer.toString(StandardCharsets.UTF_8), true));
        ws.pongHandler(b -> {
            if (gen == generation) {
                lastFrameAt = clock.millis();
            }
        });
        ws.exceptionHandler(e -> {
            if (gen == generation) {
                disconnect(gen, "error: " + redact(String.valueOf(e.getMessage())));
            }
        });
        ws.closeHandler(v -> {
            if (gen == generation) {
                Short code = ws.closeStatusCode();
                disconnect(gen, "closed by server" + (code == null ? " without a close frame" : " (" + code + ")"));
            }
        });
        if (pausedByConsumer) {
            ws.pause();
        }
        outbox.clear();
        outbox.add(SUBSCRIBE_NEW_TOKEN);
        outbox.add(SUBSCRIBE_MIGRATION);
        List<String> mints = subscriptions.allForNewConnection();
        enqueueKeys("subscribeTokenTrade", mints);
        log.info("Connected to PumpPortal at {}; subscribing to new tokens, migrations and the trades of {} mints",
                display, mints.size());
        drain();
    }

    private void onFrame(long gen, String text, boolean binary) {
        if (gen != generation) {
            return;
        }
        if (checkFence()) {
            fencedFrames.increment();
            return;
        }
        long now = clock.millis();
        lastFrameAt = now;
        if (text.contains("\"txType\"")) {
            lastDataFrameAt = now;
        }
        FrameListener target = listener;
        if (target != null) {
            target.onFrame(text, binary, receiveClock.next(), now);
        }
    }

    private void watchdog() {
        WebSocket ws = socket;
        if (ws == null || checkFence()) {
            return;
        }
        long now = clock.millis();
        if (pausedByConsumer) {
            // Paused for back-pressure: no frame and no pong can be read, so neither silence means a dead peer. The
            // connection stays open (a peer that closes it is reconnected, and the new socket starts paused).
            return;
        }
        if (state == ConnectionState.STREAMING && now - lastDataFrameAt > config.stallTimeout().toMillis()) {
            disconnect(generation, "stalled: no data frame for " + (now - lastDataFrameAt) + " ms");
            return;
        }
        long sincePing = now - lastPingAt;
        if (pingOutstanding && lastFrameAt < lastPingAt && sincePing > config.pongTimeout().toMillis()) {
            disconnect(generation, "no pong within " + config.pongTimeout().toMillis() + " ms");
            return;
        }
        if (lastFrameAt >= lastPingAt) {
            pingOutstanding = false;
        }
        if (!pingOutstanding && sincePing >= config.pingInterval().toMillis()) {
            lastPingAt = now;
            pingOutstanding = true;
            ws.writePing(Buffer.buffer("td"));
        }
        if (failedAttempts > 0 && state == ConnectionState.STREAMING
                && now - connectedAt > config.backoffResetAfter().toMillis()) {
            failedAttempts = 0;
        }
    }

    /**
     * On the context: if the fence is closed, drops the connection (nothing more is sent or handed on from it) and
     * returns true; the reconnect then waits until the fence opens again.
     */
    private boolean checkFence() {
        if (fence.mayAct()) {
            return false;
        }
        if (socket != null) {
            fenceTrips.increment();
            log.warn("The feed leadership is no longer confirmed (this process was frozen or cut off): closing the "
                    + "PumpPortal connection without sending or applying anything more");
            disconnect(generation, "feed leadership not confirmed");
        }
        return true;
    }

    private void disconnect(long gen, String reason) {
        if (gen != generation) {
            return;
        }
        generation++;
        WebSocket ws = socket;
        socket = null;
        if (ws != null && !ws.isClosed()) {
            ws.close((short) 1001, "reconnecting");
        }
        pingOutstanding = false;
        scheduleReconnect(reason);
    }

    private void scheduleReconnect(String reason) {
        lastDisconnectReason = reason;
        outbox.clear();
        cancelTimer(drainTimer);
        drainTimer = -1;
        setState(ConnectionState.BACKING_OFF);
        failedAttempts++;
        long delay = backoffMillis(failedAttempts, config.initialBackoff().toMillis(), config.maxBackoff().toMillis(),
                ThreadLocalRandom.current().nextDouble());
        log.warn("PumpPortal connection lost ({}); reconnect attempt {} in {} ms", reason, failedAttempts, delay);
        cancelTimer(reconnectTimer);
        // PumpPortal bans clients holding two connections: the old TCP connection is closed (by closing its client)
        // before the backoff timer even starts, so the next attempt never overlaps it.
        WebSocketClient old = client;
        client = null;
        long gen = generation;
        (old == null ? io.vertx.core.Future.<Void>succeededFuture() : old.close()).onComplete(closed -> {
            if (gen != generation || context == null) {
                return;
            }
            reconnectTimer = vertx.setTimer(delay, id -> {
                reconnectTimer = -1;
                reconnects.increment();
                connect();
            });
        });
    }

    /** Capped exponential backoff with jitter: uniformly between half and all of {@code min(max, initial x 2^(n-1))}. */
    static long backoffMillis(int attempt, long initial, long max, double random) {
        double exp = initial * Math.pow(2, Math.min(30, Math.max(0, attempt - 1)));
        double capped = Math.min(max, exp);
        return Math.max(1, Math.round(capped / 2 + random * capped / 2));
    }

    private void enqueueKeys(String method, List<String> keys) {
        for (int from = 0; from < keys.size(); from += config.maxKeysPerMessage()) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + config.maxKeysPerMessage()));
            StringBuilder json = new StringBuilder(chunk.size() * 48 + 48)
                    .append("{\"method\":\"").append(method).append("\",\"keys\":[");
            for (int i = 0; i < chunk.size(); i++) {
                json.append(i == 0 ? "\"" : ",\"").append(chunk.get(i)).append('"');
            }
            outbox.add(json.append("]}").toString());
        }
    }

    /** Sends queued subscription messages, at most max-messages-per-second in any one-second window. */
    private void drain() {
        drainTimer = -1;
        WebSocket ws = socket;
        if (ws == null || checkFence()) {
            return;
        }
        long now = clock.millis();
        while (!sentAt.isEmpty() && now - sentAt.peekFirst() >= RATE_WINDOW_MILLIS) {
            sentAt.pollFirst();
        }
        while (!outbox.isEmpty() && sentAt.size() < config.maxMessagesPerSecond()) {
            ws.writeTextMessage(outbox.pollFirst());
            sentAt.addLast(now);
        }
        if (!outbox.isEmpty()) {
            long wait = Math.max(1, RATE_WINDOW_MILLIS - (now - sentAt.peekFirst()));
            drainTimer = vertx.setTimer(wait, id -> drain());
        } else if (state == ConnectionState.SUBSCRIBING) {
            setState(ConnectionState.STREAMING);
            lastDataFrameAt = clock.millis();
        }
    }

    private WebSocketConnectOptions connectOptions(String url) {
        String withKey = url;
        if (config.hasApiKey()) {
            withKey = url + (url.contains("?") ? "&" : "?") + "api-key="
                    + URLEncoder.encode(config.apiKey(), StandardCharsets.UTF_8);
        }
        WebSocketConnectOptions options = new WebSocketConnectOptions().setAbsoluteURI(withKey);
        URI uri = URI.create(url);
        if ("wss".equalsIgnoreCase(uri.getScheme())) {
            options.setSsl(true);
        }
        return options;
    }

    /** The URL without its query string, which may carry the API key. */
    static String redactedUrl(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?<redacted>";
    }

    /** Removes the API key from any text about to be logged. */
    String redact(String text) {
        if (text == null || !config.hasApiKey()) {
            return text;
        }
        return text.replace(config.apiKey(), "****")
                .replace(URLEncoder.encode(config.apiKey(), StandardCharsets.UTF_8), "****");
    }

    private void setState(ConnectionState next) {
        if (state != next) {
            long now = clock.millis();
            boolean wasDown = state != ConnectionState.STREAMING && state != ConnectionState.STOPPED;
            boolean goesDown = next != ConnectionState.STREAMING && next != ConnectionState.STOPPED;
            if (goesDown && !wasDown) {
                downSince = now;
            }
            state = next;
            stateSince = now;
        }
    }

    /**
     * Since when the client has been trying to (re)connect without streaming (epoch ms), over any number of
     * connect and back-off rounds; meaningful only while {@link #state()} is neither STREAMING nor STOPPED.
     */
    public long downSince() {
        return downSince;
    }

    private double downSeconds() {
        ConnectionState now = state;
        return now == ConnectionState.STREAMING || now == ConnectionState.STOPPED
                ? 0 : Math.max(0, clock.millis() - downSince) / 1000.0;
    }

    private List<String> trustCertificates() {
        List<String> paths = new ArrayList<>();
        if (config.trustCertificates() != null) {
            for (String path : config.trustCertificates()) {
                if (path != null && !path.isBlank()) {
                    paths.add(path.trim());
                }
            }
        }
        return paths;
    }

    private void cancelTimer(long id) {
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }

}
