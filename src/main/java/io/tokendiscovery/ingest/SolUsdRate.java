package io.tokendiscovery.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.TokenDiscoveryProperties.Pricing;
import io.tokendiscovery.cache.RedisKeys;
import jakarta.annotation.PostConstruct;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The SOL/USD rate used for USD values (SOL values stay the stored truth). {@link #current()} is on the ingest path,
 * once per trade: it only reads a volatile field and the clock. The {@code sol-usd-rate} route feeds
 * {@link #accept(SolUsdQuote)} with what {@link SolUsdSources} fetched; a sane quote becomes the rate in use for
 * {@code sol-usd-max-age} and is cached in Redis so a restart does not fall back to the configured rate.
 */
@Component("solUsdRate")
public class SolUsdRate {

    private static final Logger log = LoggerFactory.getLogger(SolUsdRate.class);

    /** What {@link #source()} says while the configured {@code tokendiscovery.pricing.sol-usd} is in use. */
    public static final String CONFIGURED = "configured";

    /** The last accepted quote and the epoch millisecond it stops counting, replaced as one so readers never mix. */
    private record Accepted(SolUsdQuote quote, long expiresAtMillis) {}

    private final BigDecimal fallback;
    private final Duration maxAge;
    private final BigDecimal min;
    private final BigDecimal max;
    private final BigDecimal maxChange;
    /** Null: memory only. */
    private final StringRedisTemplate redis;
    private final String key;
    private final ObjectMapper json;
    private final Clock clock;
    private final Counter absurd;
    private final Counter jump;
    private volatile Accepted last;
    /** The source in use as of the previous {@link #accept}, to log changes once; touched by the route only. */
    private String announcedSource = CONFIGURED;

    /** Memory only, the configured rate until something is accepted: for unit tests of the price math. */
    public SolUsdRate(TokenDiscoveryProperties properties) {
        this(properties, null, new RedisKeys(properties), new ObjectMapper(), new SimpleMeterRegistry(),
                Clock.systemUTC());
    }

    @Autowired
    public SolUsdRate(TokenDiscoveryProperties properties, StringRedisTemplate redis, RedisKeys keys,
            ObjectMapper json, MeterRegistry meters, Clock clock) {
        Pricing pricing = properties.pricing();
        this.fallback = pricing.solUsd();
        this.maxAge = pricing.solUsdMaxAge();
        this.min = pricing.solUsdMin();
        this.max = pricing.solUsdMax();
        this.maxChange = BigDecimal.valueOf(pricing.solUsdMaxChange());
        this.redis = redis;
        this.key = keys.solUsdRate();
        this.json = json;
        this.clock = clock;
        this.absurd = rejections(meters, "absurd");
        this.jump = rejections(meters, "jump");
        Gauge.builder("tokendiscovery.pricing.sol.usd", this, rate -> rate.current().doubleValue())
                .description("SOL/USD rate in use for USD values")
                .register(meters);
        Gauge.builder("tokendiscovery.pricing.sol.usd.age", this, SolUsdRate::ageSeconds)
                .description("Age of the SOL/USD quote in use; -1 while on the configured rate")
                .baseUnit("seconds")
                .register(meters);
    }

    private static Counter rejections(MeterRegistry meters, String reason) {
        return Counter.builder("tokendiscovery.pricing.sol.usd.rejected")
                .description("SOL/USD quotes rejected as implausible")
                .tag("reason", reason)
                .register(meters);
    }

    /** USD per SOL: the last accepted rate while younger than max-age, else the configured one. No I/O. */
    public BigDecimal current() {
        SolUsdQuote quote = fresh();
        return quote != null ? quote.rate() : fallback;
    }

    /** Where {@link #current()} comes from: a source's name (e.g. {@code pump.fun}) or {@value #CONFIGURED}. */
    public String source() {
        SolUsdQuote quote = fresh();
        return quote != null ? quote.source() : CONFIGURED;
    }

    /** Seconds since the quote in use was true, or -1 while on the configured rate. */
    public double ageSeconds() {
        SolUsdQuote quote = fresh();
        return quote != null ? (clock.millis() - quote.at().toEpochMilli()) / 1000d : -1;
    }

    private SolUsdQuote fresh() {
        Accepted accepted = last;
        return accepted != null && clock.millis() < accepted.expiresAtMillis() ? accepted.quote() : null;
    }

    /** The route's entry: the body of {@link SolUsdSources#fetch()}, empty (or null) when no source answered. */
    public void accept(Optional<SolUsdQuote> fetched) {
        accept(fetched == null ? null : fetched.orElse(null));
    }

    /**
     * Takes a fetched quote if it is plausible: within [sol-usd-min, sol-usd-max], and, while the previous rate is
     * fresh, not more than sol-usd-max-change away from it (an expired rate is not compared, so a real move during
     * an outage cannot lock the rate out). Null: nothing was fetched, only an expiry may need announcing.
     */
    public void accept(SolUsdQuote quote) {
        if (quote != null) {
            SolUsdQuote previous = fresh();
            if (quote.rate().compareTo(min) < 0 || quote.rate().compareTo(max) > 0) {
                absurd.increment();
                log.warn("Rejected SOL/USD {} from {}: outside [{}, {}] (tokendiscovery.pricing.sol-usd-min/max)",
                        quote.rate().toPlainString(), quote.source(), min.toPlainString(), max.toPlainString());
            } else if (previous != null && change(previous.rate(), quote.rate()).compareTo(maxChange) > 0) {
                jump.increment();
                log.warn("Rejected SOL/USD {} from {}: {}% away from the last accepted {} ({} at {}), more than "
                        + "tokendiscovery.pricing.sol-usd-max-change={}", quote.rate().toPlainString(),
                        quote.source(), percent(change(previous.rate(), quote.rate())),
                        previous.rate().toPlainString(), previous.source(), previous.at(), maxChange);
            } else {
                last = new Accepted(quote, quote.at().plus(maxAge).toEpochMilli());
                store(quote);
            }
        }
        announceSourceChange();
    }

    private static BigDecimal change(BigDecimal from, BigDecimal to) {
        return to.subtract(from).abs().divide(from, MathContext.DECIMAL64);
    }

    private static String percent(BigDecimal fraction) {
        return fraction.movePointRight(2).setScale(1, RoundingMode.HALF_UP).toPlainString();
    }

    /** Going live and falling back are worth one line each; switching between live sources is not. */
    private void announceSourceChange() {
        String source = source();
        if (source.equals(announcedSource)) {
            return;
        }
        if (CONFIGURED.equals(source)) {
            log.warn("SOL/USD: no accepted rate younger than {}; USD values now use the configured "
                    + "tokendiscovery.pricing.sol-usd={}", SolUsdSources.human(maxAge), fallback.toPlainString());
        } else if (CONFIGURED.equals(announcedSource)) {
            log.info("SOL/USD rate {} from {}", current().toPlainString(), source);
        } else {
            log.debug("SOL/USD rate {} now from {} (was {})", current().toPlainString(), source, announcedSource);
        }
        announcedSource = source;
    }

    private void store(SolUsdQuote quote) {
        if (redis == null) {
            return;
        }
        String value = json.createObjectNode()
                .put("rate", quote.rate().toPlainString())
                .put("source", quote.source())
                .put("at", quote.at().toString())
                .toString();
        try {
            redis.opsForValue().set(key, value);
        } catch (RuntimeException e) {
            // The rate is in use from memory; only a restart within max-age would miss it.
            log.warn("Could not cache the SOL/USD rate in Redis ({}): {}", key, e.getMessage());
        }
    }

    /**
     * Starts from the rate cached by a previous run if it is still younger than max-age. Redis being down only
     * costs that: startup goes on with the configured rate until the route's first refresh.
     */
    @PostConstruct
    public void restore() {
        if (redis == null) {
            return;
        }
        String cached;
        try {
            cached = redis.opsForValue().get(key);
        } catch (RuntimeException e) {
            log.warn("Could not read the cached SOL/USD rate from Redis ({}): {}", key, e.getMessage());
            return;
        }
        if (cached == null) {
            return;
        }
        SolUsdQuote quote;
        try {
            JsonNode node = json.readTree(cached);
            quote = new SolUsdQuote(new BigDecimal(node.path("rate").asText()), node.path("source").asText(),
                    Instant.parse(node.path("at").asText()));
        } catch (Exception e) {
            log.warn("Ignoring the unreadable cached SOL/USD rate in {}: {}", key, cached);
            return;
        }
        if (quote.rate().compareTo(min) < 0 || quote.rate().compareTo(max) > 0) {
            log.warn("Ignoring the cached SOL/USD rate {}: outside [{}, {}]", quote.rate().toPlainString(),
                    min.toPlainString(), max.toPlainString());
            return;
        }
        Accepted accepted = new Accepted(quote, quote.at().plus(maxAge).toEpochMilli());
        if (clock.millis() >= accepted.expiresAtMillis()) {
            log.info("Cached SOL/USD rate {} from {} at {} is older than {}: not used", quote.rate().toPlainString(),
                    quote.source(), quote.at(), SolUsdSources.human(maxAge));
            return;
        }
        last = accepted;
        announcedSource = quote.source();
        log.info("SOL/USD rate {} from {} restored from Redis ({}s old)", quote.rate().toPlainString(),
                quote.source(), Math.round(ageSeconds()));
    }
}
