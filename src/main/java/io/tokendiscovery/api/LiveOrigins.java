package io.tokendiscovery.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * The live server's origin check, before the WebSocket upgrade: a browser always sends the page's {@code Origin}
 * with a WebSocket handshake, so a page of another site cannot open the socket from its visitors' browsers
 * (cross-site WebSocket hijacking, or borrowing them to hold connections). Refused handshakes get HTTP 403 and are
 * counted ({@code tokendiscovery.live.origin.rejected}).
 *
 * <p>{@code tokendiscovery.live.allowed-origins} empty (the default): the Origin's host must be the host the request
 * was sent to ({@code Host} header, port and scheme ignored: the page is served on another port than the socket).
 * Otherwise: one of the listed origins ({@code https://app.example.com}), or {@code *} for any. A request without
 * Origin is not from a browser page (curl, a server, a test client) and is let through: the origin check protects
 * browsers, the other limits protect the server.
 *
 * <p>It also watches each accepted connection for a frame over the size limit ({@link LivePush#frameTooBig}).
 */
@Component
public class LiveOrigins implements Handler<RoutingContext> {

    private final List<String> allowed;
    private final Counter rejected;
    private final LivePush livePush;

    public LiveOrigins(TokenDiscoveryProperties properties, MeterRegistry meters, LivePush livePush) {
        this.livePush = livePush;
        this.allowed = properties.live().allowedOrigins().stream().map(LiveOrigins::normalize).toList();
        this.rejected = Counter.builder("tokendiscovery.live.origin.rejected")
                .description("Live-push handshakes refused (HTTP 403) for their browser Origin").register(meters);
    }

    @Override
    public void handle(RoutingContext context) {
        String origin = context.request().getHeader("Origin");
        if (origin == null || allowed(origin, context.request().getHeader("Host"))) {
            HttpConnection connection = context.request().connection();
            connection.exceptionHandler(e -> {
                if (frameTooBig(e)) {
                    livePush.frameTooBig(connection.remoteAddress() == null ? null
                            : connection.remoteAddress().toString());
                }
            });
            context.next();
        } else {
            rejected.increment();
            context.response().setStatusCode(403).putHeader("Content-Type", "text/plain")
                    .end("Origin not allowed: " + origin.substring(0, Math.min(100, origin.length())));
        }
    }

    static boolean frameTooBig(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CorruptedWebSocketFrameException corrupted && corrupted.closeStatus().code() == 1009) {
                return true;
            }
        }
        return false;
    }

    boolean allowed(String origin, String host) {
        if (!allowed.isEmpty()) {
            return allowed.contains("*") || allowed.contains(normalize(origin));
        }
        String originHost = hostOf(origin);
        return originHost != null && host != null && originHost.equals(hostname(host));
    }

    private static String normalize(String origin) {
        String trimmed = origin.trim().toLowerCase(Locale.ROOT);
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    private static String hostOf(String origin) {
        try {
            String host = URI.create(origin.trim()).getHost();
            return host == null ? null : host.toLowerCase(Locale.ROOT).replace("[", "").replace("]", "");
        } catch (IllegalArgumentException notAUri) {
            return null;
        }
    }

    /** The host of a Host header: {@code example.com:8081} -> example.com, {@code [::1]:8081} -> ::1. */
    static String hostname(String hostHeader) {
        String host = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(1, end) : host;
        }
        int colon = host.indexOf(':');
        return colon >= 0 ? host.substring(0, colon) : host;
    }
}
