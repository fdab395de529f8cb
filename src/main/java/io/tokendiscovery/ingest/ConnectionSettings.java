package io.tokendiscovery.ingest;

import io.tokendiscovery.TokenDiscoveryProperties;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How the PumpPortal client reaches the feed: the WebSocket client options (frame limits, TLS with host verification,
 * trusted certificates), the API key in the connect URL, and keeping that key out of every log line.
 */
final class ConnectionSettings {

    private final TokenDiscoveryProperties.PumpPortal config;

    ConnectionSettings(TokenDiscoveryProperties.PumpPortal config) {
        this.config = config;
    }

    WebSocketClientOptions clientOptions() {
        WebSocketClientOptions options = new WebSocketClientOptions()
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
            options.setTrustOptions(pem);
        }
        return options;
    }

    WebSocketConnectOptions connectOptions(String url) {
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
}
