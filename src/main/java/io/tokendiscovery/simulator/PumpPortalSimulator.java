package io.tokendiscovery.simulator;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local PumpPortal: a Vert.x WebSocket server on {@code ws://host:port/path} that speaks the feed's protocol
 * (requests, acks and notices verbatim, limits, funded-key rule) and streams a {@link SimulatedMarket}.
 *
 * <p>All server state lives on one event loop (a verticle's context): request handling, the emission timer and
 * delivery never race. The public hooks for tests and benchmarks are safe from any thread; those that act on
 * connections run on that event loop and return once they have run there.
 *
 * <p>This class owns the server's lifecycle, its connections and the emission timer, and is the facade of the hooks;
 * the requests are answered by {@link SimulatorProtocol}, faults injected by {@link FaultHooks}, the rate paced by
 * {@link EmissionPacer} and the counters kept by {@link SimulatorStats}.
 */
public class PumpPortalSimulator {

    /** Ack of {@code subscribeNewToken}, verbatim. */
    public static final String ACK_NEW_TOKEN = "{\"message\":\"Successfully subscribed to token creation events.\"}";
    /** Ack of {@code subscribeMigration}, verbatim. */
    public static final String ACK_MIGRATION = "{\"message\":\"Subscribed to 'migration' events.\"}";
    /** Ack of a funded {@code subscribeTokenTrade}/{@code subscribeAccountTrade}, verbatim. */
    public static final String ACK_KEYS = "{\"message\":\"Successfully subscribed to keys.\"}";
    /** Notice for a trade subscription without a funded api-key, verbatim; no trades follow. */
    public static final String NOTICE_UNFUNDED = "{\"message\":\"'subscribeTokenTrade' and 'subscribeAccountTrade'"
            + " methods are only available when connecting with an API key funded with at least 0.02 SOL.\"}";
    /** Ack of {@code unsubscribeNewToken}. Not captured from the live feed: the wording is this simulator's. */
    public static final String ACK_UNSUBSCRIBE_NEW_TOKEN =
            "{\"message\":\"Successfully unsubscribed from token creation events.\"}";
    /** Ack of the trade unsubscriptions. Not captured from the live feed: the wording is this simulator's. */
    public static final String ACK_UNSUBSCRIBE_KEYS = "{\"message\":\"Successfully unsubscribed from keys.\"}";

    /** Most keys one subscription message may carry (documented limit). */
    public static final int MAX_KEYS_PER_MESSAGE = 5000;
    /** Most subscription messages per second per connection (documented limit). */
    public static final int MAX_MESSAGES_PER_SECOND = 200;

    static final long TICK_MILLIS = 10;
    /** Frames owed beyond this much time (a stalled loop, a GC pause) are skipped, not burst out. */
    static final double MAX_BACKLOG_SECONDS = 0.5;
    /** Per-connection outbound buffer before frames are dropped (Netty high-water mark). */
    static final int WRITE_QUEUE_BYTES = 1 << 20;
    static final long HOOK_TIMEOUT_SECONDS = 60;

    private static final Logger log = LoggerFactory.getLogger(PumpPortalSimulator.class);

    private final Vertx vertx;
    private final SimulatedMarket market;
    private final Set<String> fundedKeys;
    private final String host;
    private final int configuredPort;
    private final String path;

    private final Object lifecycle = new Object();
    private volatile String deploymentId;
    private volatile Context context;
    private volatile Thread loopThread;
    private volatile int boundPort = -1;
    private volatile boolean paused;
    private volatile double framesPerSecond;
    private volatile boolean firehose;

    // event-loop state
    private HttpServer server;
    private long timerId = -1;
    private final EmissionPacer pacer = new EmissionPacer();
    private long nextConnectionId = 1;
    private final List<SimulatorConnection> connections = new ArrayList<>();
    private SimulatorConnection[] connectionArray = new SimulatorConnection[0];

    private final SimulatorStats stats = new SimulatorStats();
    private final SimulatorProtocol protocol = new SimulatorProtocol(stats);

    public PumpPortalSimulator(SimulatorProperties properties, Vertx vertx) {
        properties.validate();
        this.vertx = vertx;
        this.market = new SimulatedMarket(properties);
        this.fundedKeys = properties.getApiKeys() == null ? Set.of() : Set.copyOf(properties.getApiKeys());
        this.host = properties.getHost();
        this.configuredPort = properties.getPort();
        this.path = properties.getPath();
        this.framesPerSecond = properties.getFramesPerSecond();
        this.firehose = properties.isFirehose();
    }

    // ------------------------------------------------------------------ lifecycle

    /** Binds the server and starts emitting; returns once it listens. Idempotent. */
    public void start() {
        synchronized (lifecycle) {
            if (deploymentId != null) {
                return;
            }
            deploymentId = await(vertx.deployVerticle(new ServerVerticle()).toCompletionStage(), "start");
            log.info("PumpPortal simulator listening on {} (seed {}, {} frames/s{})", url(), market.seed(),
                    framesPerSecond, firehose ? ", firehose" : "");
        }
    }

    /** Closes every connection cleanly and unbinds. Idempotent. */
    public void stop() {
        synchronized (lifecycle) {
            String id = deploymentId;
            if (id == null) {
                return;
            }
            deploymentId = null;
            try {
                await(vertx.undeploy(id).toCompletionStage(), "stop");
            } catch (RuntimeException e) {
                log.warn("PumpPortal simulator did not stop cleanly: {}", e.toString());
            } finally {
                context = null;
                loopThread = null;
                boundPort = -1;
            }
            log.info("PumpPortal simulator stopped after {} frames ({} sent, {} dropped)",
                    market.framesGenerated(), stats.framesSent(), stats.droppedFrames());
        }
    }

    public boolean isRunning() {
        return deploymentId != null;
    }

    /** {@code ws://host:port/path} of the running server. */
    public String url() {
        int p = port();
        String h = host;
        if ("0.0.0.0".equals(h)) {
            h = "127.0.0.1";
        } else if ("::".equals(h) || "[::]".equals(h)) {
            h = "[::1]";
        } else if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
            h = "[" + h + "]";
        }
        return "ws://" + h + ":" + p + path;
    }

    /** The bound port (the actual one when configured as 0). */
    public int port() {
        int p = boundPort;
        if (p < 0) {
            throw new IllegalStateException("PumpPortal simulator is not running");
        }
        return p;
    }

    // ------------------------------------------------------------------ hooks

    /** Stops emitting market frames (a silent stall: connections stay open, requests are still answered). */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    public boolean isPaused() {
        return paused;
    }

    /** Changes the emission rate at once; 0 stops the timer's emission ({@link #emitNow} still works). */
    public void setFramesPerSecond(double framesPerSecond) {
        if (!(framesPerSecond >= 0) || Double.isInfinite(framesPerSecond)) {
            throw new IllegalArgumentException("framesPerSecond must be >= 0 and finite: " + framesPerSecond);
        }
        this.framesPerSecond = framesPerSecond;
    }

    public double getFramesPerSecond() {
        return framesPerSecond;
    }

    /** Switches firehose mode (every trade to every connection) at run time. */
    public void setFirehose(boolean firehose) {
        this.firehose = firehose;
    }

    public boolean isFirehose() {
        return firehose;
    }

    /** The market; its read accessors are thread-safe. Do not call {@code nextFrame()} on it while running. */
    public SimulatedMarket market() {
        return market;
    }

    /**
     * Generates {@code n} frames now, on the event loop, delivers them and returns them once written; works while
     * paused and with framesPerSecond 0, so tests can drive the feed deterministically.
     */
    public List<SimulatedFrame> emitNow(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0: " + n);
        }
        return onLoop(() -> {
            List<SimulatedFrame> frames = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                SimulatedFrame f = market.nextFrame();
                frames.add(f);
                deliver(f);
            }
            return frames;
        });
    }

    /** Sends {@code frame} as a text frame to every open connection now, whatever their subscriptions. */
    public void sendRaw(String frame) {
        sendRaw(List.of(frame));
    }

    /**
     * Sends raw text frames to every open connection in one hop to the event loop, in list order, whatever the
     * write queue (tests push tens of thousands of crafted frames this way).
     */
    public void sendRaw(List<String> frames) {
        onLoop(() -> {
            for (String frame : frames) {
                for (SimulatorConnection c : connectionArray) {
                    if (c.sendAlways(frame)) {
                        c.sent++;
                        stats.frameSent();
                    }
                }
            }
            return null;
        });
    }

    /** Closes every connection with a close frame (1000, normal); returns once the closes are initiated. */
    public void closeAllConnections() {
        onLoop(() -> {
            for (SimulatorConnection c : connectionArray) {
                FaultHooks.close(c);
            }
            return null;
        });
    }

    /**
     * Drops every connection abruptly: the TCP socket is closed with SO_LINGER 0 (an RST) and no WebSocket close
     * frame, like a network failure or "no close frame received". This reaches the Netty channel through Vert.x's
     * {@code ConnectionBase} (an internal class); should that ever be unavailable it falls back to a close with code
     * 1011 and logs it.
     */
    public void resetAllConnections() {
        onLoop(() -> {
            for (SimulatorConnection c : connectionArray) {
                FaultHooks.reset(c);
            }
            return null;
        });
    }

    /**
     * Freezes every open connection: the server stops reading it (so WebSocket pings go unanswered) and stops writing
     * to it, while the TCP connection stays open. What a half-dead connection looks like to a client: only its ping
     * timeout can detect it.
     */
    public void freezeAllConnections() {
        onLoop(() -> {
            for (SimulatorConnection c : connectionArray) {
                FaultHooks.freeze(c);
            }
            return null;
        });
    }

    /** Connections open now. */
    public int connectionCount() {
        return stats.openConnections();
    }

    /** Highest number of connections open at the same time since start. */
    public int maxConcurrentConnections() {
        return stats.maxConcurrentConnections();
    }

    /** Connections accepted since start. */
    public long totalConnections() {
        return stats.totalConnections();
    }

    /** Every text message received from clients, in arrival order (a copy). */
    public List<String> receivedClientMessages() {
        return stats.receivedMessages();
    }

    public void clearReceivedClientMessages() {
        stats.clearReceivedMessages();
    }

    /** Data frames (market frames and {@link #sendRaw} frames) written to clients, summed over connections. */
    public long framesSent() {
        return stats.framesSent();
    }

    /** Market frames not written to a client because its outbound buffer was full, summed over connections. */
    public long droppedFrames() {
        return stats.droppedFrames();
    }

    /** Market frames generated so far (whether anyone received them or not). */
    public long framesGenerated() {
        return market.framesGenerated();
    }

    /** Frames the timer owed but skipped because the event loop fell more than 0.5 s behind the rate. */
    public long skippedFrames() {
        return stats.skippedFrames();
    }

    /** Client messages refused for exceeding 200 per second. */
    public long rateLimitedMessages() {
        return stats.rateLimitedMessages();
    }

    /** {@code errors} frames sent (rate limit, unknown method, bad JSON, too many keys, ...). */
    public long errorFramesSent() {
        return stats.errorFramesSent();
    }

    /** Trade subscriptions refused with the funded-key notice. */
    public long unfundedRefusals() {
        return stats.unfundedRefusals();
    }

    /** What each open connection is subscribed to (a snapshot taken on the event loop). */
    public List<ConnectionInfo> connections() {
        return onLoop(() -> {
            List<ConnectionInfo> out = new ArrayList<>(connections.size());
            for (SimulatorConnection c : connections) {
                out.add(c.info());
            }
            return out;
        });
    }

    /** Union of the mints the open connections are subscribed to. */
    public Set<String> subscribedMints() {
        return onLoop(() -> {
            Set<String> all = new HashSet<>();
            for (SimulatorConnection c : connections) {
                all.addAll(c.mints);
            }
            return all;
        });
    }

    /**
     * One open connection as the server sees it.
     *
     * @param id         sequence number of the connection since start
     * @param apiKey     the {@code api-key} query value, or {@code null}
     * @param funded     whether that key is one of {@code apiKeys}
     * @param newTokens  subscribed to creations
     * @param migrations subscribed to migrations
     * @param mints      subscribed token-trade keys
     * @param accounts   subscribed account-trade keys
     * @param framesSent data frames written to it
     * @param dropped    frames dropped for it (full outbound buffer)
     */
    public record ConnectionInfo(
            long id,
            String apiKey,
            boolean funded,
            boolean newTokens,
            boolean migrations,
            Set<String> mints,
            Set<String> accounts,
            long framesSent,
            long dropped) {}

    // ------------------------------------------------------------------ server (event loop)

    private final class ServerVerticle extends AbstractVerticle {
        @Override
        public void start(Promise<Void> startPromise) {
            PumpPortalSimulator.this.context = context;
            loopThread = Thread.currentThread();
            HttpServerOptions options = new HttpServerOptions()
                    .setHost(host)
                    .setPort(configuredPort)
                    .setTcpNoDelay(true)
                    .setMaxWebSocketFrameSize(1 << 20)
                    .setMaxWebSocketMessageSize(16 << 20);
            server = vertx.createHttpServer(options).requestHandler(PumpPortalSimulator.this::handleRequest);
            server.listen().onComplete(ar -> {
                if (ar.failed()) {
                    startPromise.fail(ar.cause());
                    return;
                }
                boundPort = ar.result().actualPort();
                pacer.start(System.nanoTime());
                timerId = vertx.setPeriodic(TICK_MILLIS, id -> tick());
                startPromise.complete();
            });
        }

        @Override
        public void stop(Promise<Void> stopPromise) {
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
                timerId = -1;
            }
            for (SimulatorConnection c : connectionArray) {
                if (!c.ws.isClosed()) {
                    c.ws.close((short) 1001, "Simulator stopping");
                }
            }
            server.close().onComplete(ar -> stopPromise.complete());
        }
    }

    private void handleRequest(HttpServerRequest request) {
        if (!path.equals(request.path())) {
            request.response().setStatusCode(404).end();
            return;
        }
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        if (request.method() != HttpMethod.GET || upgrade == null || !"websocket".equalsIgnoreCase(upgrade)) {
            request.response()
                    .setStatusCode(400)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
                    .end("WebSocket only: connect to this path with a WebSocket client\n");
            return;
        }
        String apiKey = request.getParam("api-key");
        boolean funded = apiKey != null && fundedKeys.contains(apiKey);
        HttpConnection httpConnection = request.connection();
        request.toWebSocket()
                .onSuccess(ws -> onOpen(ws, httpConnection, apiKey, funded))
                .onFailure(t -> log.debug("WebSocket upgrade failed: {}", t.toString()));
    }

    private void onOpen(ServerWebSocket ws, HttpConnection httpConnection, String apiKey, boolean funded) {
        SimulatorConnection c = new SimulatorConnection(nextConnectionId++, ws, httpConnection, apiKey, funded);
        if (ws.isClosed()) {
            return;
        }
        ws.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
        ws.textMessageHandler(text -> protocol.onText(c, text));
        ws.binaryMessageHandler(b -> protocol.sendError(c, "Binary frames are not supported: send JSON text frames"));
        ws.exceptionHandler(t -> log.debug("Simulator connection {}: {}", c.id, t.toString()));
        ws.closeHandler(v -> onClose(c));
        connections.add(c);
        connectionArray = connections.toArray(new SimulatorConnection[0]);
        stats.connectionOpened();
        log.debug("Simulator connection {} opened (api-key {}, funded {})", c.id, apiKey != null, funded);
    }

    private void onClose(SimulatorConnection c) {
        if (connections.remove(c)) {
            connectionArray = connections.toArray(new SimulatorConnection[0]);
            stats.connectionClosed();
            log.debug("Simulator connection {} closed ({} frames sent, {} dropped)", c.id, c.sent, c.dropped);
        }
    }

    private void tick() {
        int n = pacer.due(System.nanoTime(), framesPerSecond, paused, stats);
        for (int i = 0; i < n; i++) {
            deliver(market.nextFrame());
        }
    }

    private void deliver(SimulatedFrame frame) {
        SimulatorConnection[] targets = connectionArray;
        if (targets.length == 0) {
            return;
        }
        boolean hose = firehose;
        for (SimulatorConnection c : targets) {
            if (c.wants(frame, hose)) {
                c.deliver(frame.json(), stats);
            }
        }
    }

    // ------------------------------------------------------------------ threading helpers

    private <T> T onLoop(Supplier<T> action) {
        Context ctx = context;
        if (Thread.currentThread() == loopThread) {
            return action.get();
        }
        if (ctx == null) {
            // not running: no connections, and the market is only touched by the caller
            synchronized (market) {
                return action.get();
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        ctx.runOnContext(v -> {
            try {
                result.complete(action.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return await(result, "hook");
    }

    private static <T> T await(CompletionStage<T> stage, String what) {
        try {
            return stage.toCompletableFuture().get(HOOK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during simulator " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("Simulator " + what + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Simulator " + what + " timed out after " + HOOK_TIMEOUT_SECONDS + " s", e);
        }
    }
}
