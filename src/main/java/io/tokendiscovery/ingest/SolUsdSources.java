package io.tokendiscovery.ingest;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.TokenDiscoveryProperties.Pricing;
import io.tokendiscovery.TokenDiscoveryProperties.SolUsdSource;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Asks the configured SOL/USD sources ({@code tokendiscovery.pricing.sol-usd-sources}) in order and returns the
 * first usable quote. Whether the value is sane is {@link SolUsdRate}'s decision; this class only knows whether a
 * source answered a positive number, fresh, at its JSON pointer. Called by the {@code sol-usd-rate} route, never on
 * the ingest path: a dead source costs at most the HTTP timeout of the timer thread, not a trade.
 */
@Component("solUsdSources")
public class SolUsdSources {

    private static final Logger log = LoggerFactory.getLogger(SolUsdSources.class);

    /** Public APIs behind bot protection may refuse a bare library agent; a name also tells their operators who asks. */
    static final String USER_AGENT = "token-discovery/0.1 (SOL/USD rate poller)";

    /** Why a source gave nothing usable; the lower-case name is the {@code reason} tag of the failure counter. */
    enum Reason {
        HTTP_STATUS, TIMEOUT, IO, BAD_JSON, MISSING, STALE;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A source, checked once at start: a bad URL or pointer fails the startup instead of every refresh. */
    private record Target(String name, URI uri, JsonPointer pointer) {}

    private final List<Target> targets;
    private final Duration timeout;
    private final Duration maxAge;
    private final Duration refreshInterval;
    private final BigDecimal fallback;
    private final HttpClient http;
    /** Floats as BigDecimal: "142.31" stays 142.31, not the nearest double. */
    private final ObjectReader json;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, Counter> failureCounters = new ConcurrentHashMap<>();
    /** Null before the first fetch, then whether the last fetch found nothing: WARN and INFO only on changes. */
    private final AtomicReference<Boolean> failing = new AtomicReference<>();
    /** The feed is the built-in simulator (no tokendiscovery.pumpportal.url): its trades are not real money. */
    private final boolean simulatedFeed;

    public SolUsdSources(TokenDiscoveryProperties properties, ObjectMapper mapper, MeterRegistry meters, Clock clock) {
        Pricing pricing = properties.pricing();
        String feed = properties.pumpportal().url();
        this.simulatedFeed = feed == null || feed.isBlank();
        this.targets = pricing.solUsdSources().stream().map(SolUsdSources::target).toList();
        this.timeout = pricing.solUsdHttpTimeout();
        this.maxAge = pricing.solUsdMaxAge();
        this.refreshInterval = pricing.solUsdRefreshInterval();
        this.fallback = pricing.solUsd();
        this.json = mapper.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        this.meters = meters;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    private static Target target(SolUsdSource source) {
        try {
            URI uri = URI.create(source.url());
            // Rejects schemes other than http(s) now rather than at the first refresh.
            HttpRequest.newBuilder(uri);
            return new Target(source.name(), uri, JsonPointer.compile(source.pointer()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SOL/USD source " + source.name() + " is misconfigured (url "
                    + source.url() + ", pointer " + source.pointer() + "): " + e.getMessage(), e);
        }
    }

    /** @return the first usable quote of the sources in their configured order, or empty when none gave one */
    public Optional<SolUsdQuote> fetch() {
        List<String> reasons = new ArrayList<>(targets.size());
        // Every source unreachable (rather than answering badly) is what an air-gapped machine looks like.
        boolean unreachable = !targets.isEmpty();
        for (Target target : targets) {
            try {
                SolUsdQuote quote = fetch(target);
                if (Boolean.TRUE.equals(failing.getAndSet(false))) {
                    log.info("SOL/USD sources answer again: {} gave {}", quote.source(), quote.rate().toPlainString());
                }
                return Optional.of(quote);
            } catch (SourceFailure failure) {
                failureCounter(target.name(), failure.reason).increment();
                log.debug("SOL/USD source {} failed ({}): {}", target.name(), failure.reason.tag(), failure.getMessage());
                reasons.add(target.name() + ": " + failure.reason.tag() + " (" + abbreviate(failure.getMessage()) + ")");
                unreachable &= failure.reason == Reason.IO || failure.reason == Reason.TIMEOUT;
            } catch (InterruptedException e) {
                // Shutdown: neither the sources' fault nor worth a WARN.
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        if (!Boolean.TRUE.equals(failing.getAndSet(true))) {
            warnAllFailed(reasons, unreachable);
        }
        return Optional.empty();
    }

    /**
     * Once per outage, not per refresh: the DEBUG lines carry the detail of every attempt. WARN when USD values of
     * real trades fall back to the configured rate; INFO when nothing real is at stake: no source is configured (a
     * choice, not a failure), or the feed is the simulator and no source is reachable (the zero-setup run on a
     * machine without internet access). A source answering badly is a WARN in every case.
     */
    private void warnAllFailed(List<String> reasons, boolean unreachable) {
        if (reasons.isEmpty()) {
            log.info("No SOL/USD source configured (tokendiscovery.pricing.sol-usd-sources): USD values use the "
                    + "configured tokendiscovery.pricing.sol-usd={}", fallback.toPlainString());
            return;
        }
        if (unreachable && simulatedFeed) {
            log.info("No SOL/USD source reachable (no network access?) [{}]; the simulated feed's USD values use the "
                    + "configured tokendiscovery.pricing.sol-usd={}. Retrying every {}; with a real feed "
                    + "(tokendiscovery.pumpportal.url) this is a WARN", String.join(", ", reasons),
                    fallback.toPlainString(), human(refreshInterval));
            return;
        }
        log.warn("No SOL/USD source answered{} [{}]; USD values keep the last accepted rate until it is {} old, then "
                + "use the configured tokendiscovery.pricing.sol-usd={}. Retrying every {}; one line per failure at "
                + "DEBUG on {}", unreachable ? " (none reachable: no network access?)" : "",
                reasons.isEmpty() ? "none configured" : String.join(", ", reasons), human(maxAge),
                fallback.toPlainString(), human(refreshInterval), SolUsdSources.class.getName());
    }

    private SolUsdQuote fetch(Target target) throws SourceFailure, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(target.uri())
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT)
                .GET()
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new SourceFailure(Reason.TIMEOUT, "no answer within " + human(timeout));
        } catch (IOException e) {
            throw new SourceFailure(Reason.IO, describe(e, target.uri()));
        }
        if (response.statusCode() < 200 || response.statusCode() > 299) {
            throw new SourceFailure(Reason.HTTP_STATUS, "HTTP " + response.statusCode());
        }
        JsonNode root;
        try {
            root = json.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new SourceFailure(Reason.BAD_JSON, e.getOriginalMessage());
        } catch (IOException e) {
            throw new SourceFailure(Reason.BAD_JSON, e.toString());
        }
        if (root == null || root.isMissingNode()) {
            throw new SourceFailure(Reason.BAD_JSON, "empty body");
        }
        Instant now = clock.instant();
        Instant at = freshness(root, now);
        BigDecimal rate = number(root.at(target.pointer()));
        if (rate == null || rate.signum() <= 0) {
            throw new SourceFailure(Reason.MISSING, "no positive number at " + target.pointer());
        }
        return new SolUsdQuote(rate, target.name(), at);
    }

    /**
     * pump.fun says itself when its price is old: {@code "stale": true}, or an {@code asOfTimestamp} (epoch ms)
     * older than max-age. Any source sending these fields is judged by them.
     *
     * @return the source's own timestamp when it sends one (never in the future), else now
     */
    private Instant freshness(JsonNode root, Instant now) throws SourceFailure {
        if (root.path("stale").asBoolean(false)) {
            throw new SourceFailure(Reason.STALE, "the source marks its price stale");
        }
        JsonNode asOf = root.path("asOfTimestamp");
        if (!asOf.isNumber()) {
            return now;
        }
        Instant at = Instant.ofEpochMilli(asOf.longValue());
        if (at.plus(maxAge).isBefore(now)) {
            throw new SourceFailure(Reason.STALE, "price as of " + at + ", older than " + human(maxAge));
        }
        return at.isAfter(now) ? now : at;
    }

    /** A JSON number, or a numeric string as Binance sends ({@code "price":"142.31"}); else null. */
    private static BigDecimal number(JsonNode node) {
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isTextual()) {
            try {
                return new BigDecimal(node.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private Counter failureCounter(String source, Reason reason) {
        return failureCounters.computeIfAbsent(source + "|" + reason, k -> Counter
                .builder("tokendiscovery.pricing.sol.usd.failures")
                .description("SOL/USD source requests that gave no usable rate")
                .tag("source", source)
                .tag("reason", reason.tag())
                .register(meters));
    }

    /**
     * The JDK client reports most connection problems as a bare {@code ConnectException}; the cause says which, and
     * an air-gapped machine's operator should read "cannot resolve" rather than a class name.
     */
    private static String describe(IOException e, URI uri) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                return "cannot resolve " + uri.getHost();
            }
            if (cause.getMessage() != null) {
                return cause.getClass().getSimpleName() + ": " + cause.getMessage();
            }
        }
        return e instanceof ConnectException ? "cannot connect to " + uri.getHost() + ":" + port(uri)
                : e.getClass().getSimpleName();
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }

    /** {@code PT10M} -> {@code 10m}: the way durations are written in application.yaml. */
    static String human(Duration duration) {
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** A source's failure with its counted reason; thrown and caught only here, so no stack trace is filled. */
    private static final class SourceFailure extends Exception {

        private final Reason reason;

        SourceFailure(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
