package io.tokendiscovery.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
 *
 * <p>This class owns the connection's lifecycle (fence, restore before the first connect, connect, reconnect,
 * back-pressure); the rate-limited subscription messages are queued in {@link SubscriptionOutbox}, the ping and stall
 * clocks kept by {@link Heartbeat}, the observable state by {@link ConnectionStatus}, the reconnect delay computed by
 * {@link Backoff}, the WebSocket and TLS options and the API key's redaction built by {@link ConnectionSettings}, the
 * meters held by {@link PumpPortalClientMeters}.
 */
@Component("pumpPortalClient")
public class PumpPortalClient {

    private static final Logger log = LoggerFactory.getLogger(PumpPortalClient.class);
    static final String SUBSCRIBE_NEW_TOKEN = "{\"method\":\"subscribeNewToken\"}";
    static final String SUBSCRIBE_MIGRATION = "{\"method\":\"subscribeMigration\"}";
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
    private final ConnectionSettings settings;
    private final PumpPortalClientMeters metrics;
    private final SubscriptionOutbox outbox;
    private final Heartbeat heartbeat;
    private final ConnectionStatus status;
    private volatile FeedFence fence = FeedFence.NONE;

    // Confined to the Vert.x context:
    private Context context;
    /** One client per connection attempt: closing it closes its TCP connection at once, not after a handshake. */
    private WebSocketClient client;
    private WebSocketClientOptions clientOptions;
    private WebSocket socket;
    private FrameListener listener;
    private long generation;
    private long watchdogTimer = -1;
    private long drainTimer = -1;
    private long reconnectTimer = -1;
    private volatile boolean pausedByConsumer;
    private volatile boolean tradesRefused;

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
        this.status = new ConnectionStatus(clock);
        this.settings = new ConnectionSettings(config);
        this.outbox = new SubscriptionOutbox(config.maxKeysPerMessage(), config.maxMessagesPerSecond());
        this.heartbeat = new Heartbeat(config);
        this.metrics = new PumpPortalClientMeters(meters, this);
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
        metrics.fencedFrames.increment(frames);
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
            this.clientOptions = settings.clientOptions();
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
            status.set(ConnectionState.STOPPED);
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
        return status.state();
    }

    /** When the connection entered its current state (epoch ms). */
    public long stateSince() {
        return status.stateSince();
    }

    /** True after PumpPortal refused trade subscriptions for lack of a funded API key. */
    public boolean tradesRefused() {
        return tradesRefused;
    }

    public String lastDisconnectReason() {
        return status.lastDisconnectReason();
    }

    /** Failed connection attempts since the last healthy period (drives the backoff). */
    public int failedAttempts() {
        return status.failedAttempts();
    }

    /** Sends the trade subscription changes since the last call as batched diffs. Called by a route on a timer. */
    public void sendSubscriptionChanges() {
        Context ctx = context;
        if (ctx == null) {
            return;
        }
        ctx.runOnContext(v -> {
            if (!status.is(ConnectionState.STREAMING) && !status.is(ConnectionState.SUBSCRIBING)) {
                return; // the full set goes out on the next connect
            }
            TradeSubscriptions.Diff diff = subscriptions.drainChanges();
            outbox.addKeys("unsubscribeTokenTrade", diff.removed());
            outbox.addKeys("subscribeTokenTrade", diff.added());
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
            if (!status.is(ConnectionState.STREAMING) || tradesRefused) {
                return;
            }
            List<String> zombies = subscriptions.takeZombies(config.zombieTimeout().toMillis());
            if (zombies.isEmpty()) {
                return;
            }
            log.info("Re-subscribing {} mints whose trades were silent for {}", zombies.size(), config.zombieTimeout());
            metrics.zombieResubscribes.increment(zombies.size());
            outbox.addKeys("unsubscribeTokenTrade", zombies);
            outbox.addKeys("subscribeTokenTrade", zombies);
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
        metrics.refusals.increment();
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
                heartbeat.resumed(clock.millis());
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
            status.set(ConnectionState.BACKING_OFF);
            status.down("feed leadership not confirmed");
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
        status.set(ConnectionState.CONNECTING);
        long gen = ++generation;
        String url;
        try {
            url = urlSupplier.get();
        } catch (RuntimeException e) {
            scheduleReconnect(e.getMessage());
            return;
        }
        String display = ConnectionSettings.redactedUrl(url);
        log.info("Connecting to PumpPortal at {}", display);
        client = vertx.createWebSocketClient(clientOptions);
        client.connect(settings.connectOptions(url)).onComplete(result -> {
            if (gen != generation) {
                if (result.succeeded()) {
                    result.result().close();
                }
                return;
            }
            if (result.failed()) {
                scheduleReconnect(settings.redact(String.valueOf(result.cause().getMessage())));
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
        heartbeat.opened(clock.millis());
        status.set(ConnectionState.SUBSCRIBING);
        ws.textMessageHandler(text -> onFrame(gen, text, false));
        ws.binaryMessageHandler(buffer -> onFrame(gen, buffer.toString(StandardCharsets.UTF_8), true));
        ws.pongHandler(b -> {
            if (gen == generation) {
                heartbeat.pong(clock.millis());
            }
        });
        ws.exceptionHandler(e -> {
            if (gen == generation) {
                disconnect(gen, "error: " + settings.redact(String.valueOf(e.getMessage())));
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
        outbox.addKeys("subscribeTokenTrade", mints);
        log.info("Connected to PumpPortal at {}; subscribing to new tokens, migrations and the trades of {} mints",
                display, mints.size());
        drain();
    }

    private void onFrame(long gen, String text, boolean binary) {
        if (gen != generation) {
            return;
        }
        if (checkFence()) {
            metrics.fencedFrames.increment();
            return;
        }
        long now = clock.millis();
        heartbeat.frame(now, text.contains("\"txType\""));
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
        String dead = heartbeat.deadReason(now, status.is(ConnectionState.STREAMING));
        if (dead != null) {
            disconnect(generation, dead);
            return;
        }
        if (heartbeat.pingDue(now)) {
            ws.writePing(Buffer.buffer("td"));
        }
        if (status.failedAttempts() > 0 && status.is(ConnectionState.STREAMING)
                && heartbeat.connectedFor(now) > config.backoffResetAfter().toMillis()) {
            status.resetAttempts();
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
            metrics.fenceTrips.increment();
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
        heartbeat.closed();
        scheduleReconnect(reason);
    }

    private void scheduleReconnect(String reason) {
        status.down(reason);
        outbox.clear();
        cancelTimer(drainTimer);
        drainTimer = -1;
        status.set(ConnectionState.BACKING_OFF);
        int attempt = status.attemptFailed();
        long delay = Backoff.millis(attempt, config.initialBackoff().toMillis(), config.maxBackoff().toMillis(),
                ThreadLocalRandom.current().nextDouble());
        log.warn("PumpPortal connection lost ({}); reconnect attempt {} in {} ms", reason, attempt, delay);
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
                metrics.reconnects.increment();
                connect();
            });
        });
    }

    /** Sends queued subscription messages, at most max-messages-per-second in any one-second window. */
    private void drain() {
        drainTimer = -1;
        WebSocket ws = socket;
        if (ws == null || checkFence()) {
            return;
        }
        long wait = outbox.send(ws::writeTextMessage, clock.millis());
        if (wait >= 0) {
            drainTimer = vertx.setTimer(wait, id -> drain());
        } else if (status.is(ConnectionState.SUBSCRIBING)) {
            status.set(ConnectionState.STREAMING);
            heartbeat.streaming(clock.millis());
        }
    }

    /**
     * Since when the client has been trying to (re)connect without streaming (epoch ms), over any number of
     * connect and back-off rounds; meaningful only while {@link #state()} is neither STREAMING nor STOPPED.
     */
    public long downSince() {
        return status.downSince();
    }

    /** Seconds the feed has been trying to (re)connect without streaming; 0 while streaming or stopped. */
    double downSeconds() {
        ConnectionState now = state();
        return now == ConnectionState.STREAMING || now == ConnectionState.STOPPED
                ? 0 : Math.max(0, clock.millis() - status.downSince()) / 1000.0;
    }

    private void cancelTimer(long id) {
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }

}
