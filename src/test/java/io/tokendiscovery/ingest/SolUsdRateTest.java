package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TestProperties;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.ingest.SolUsdSourcesTest.MutableClock;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.embedded.RedisServer;

/** Validation, expiry, Redis cache and metrics of the SOL/USD rate, against a real (embedded) Redis. */
class SolUsdRateTest {

    private static RedisServer server;
    private static int port;

    private final TokenDiscoveryProperties properties = TestProperties.with(Map.of(
            "tokendiscovery.pricing.sol-usd", "150",
            "tokendiscovery.pricing.sol-usd-max-age", "10m",
            "tokendiscovery.pricing.sol-usd-min", "1",
            "tokendiscovery.pricing.sol-usd-max", "100000",
            "tokendiscovery.pricing.sol-usd-max-change", "0.5"));
    private final String key = new RedisKeys(properties).solUsdRate();
    private final MutableClock clock = new MutableClock(SolUsdSourcesTest.START);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ObjectMapper json = new ObjectMapper();
    private final Logger logger = (Logger) LoggerFactory.getLogger(SolUsdRate.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private LettuceConnectionFactory connections;
    private StringRedisTemplate redis;

    @BeforeAll
    static void startRedis() throws IOException {
        port = SolUsdSourcesTest.closedPort();
        server = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").build();
        server.start();
    }

    @AfterAll
    static void stopRedis() throws IOException {
        server.stop();
    }

    @BeforeEach
    void connect() {
        connections = connect(port);
        redis = template(connections);
        redis.delete(key);
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void disconnect() {
        logger.detachAppender(logs);
        connections.destroy();
    }

    private static LettuceConnectionFactory connect(int port) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    private static StringRedisTemplate template(LettuceConnectionFactory factory) {
        StringRedisTemplate template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
        return template;
    }

    /** As Spring starts it: constructed, then the cached rate restored. */
    private SolUsdRate started(StringRedisTemplate template) {
        return started(template, meters);
    }

    private SolUsdRate started(StringRedisTemplate template, SimpleMeterRegistry registry) {
        SolUsdRate rate = new SolUsdRate(properties, template, new RedisKeys(properties), json, registry, clock);
        rate.restore();
        return rate;
    }

    private SolUsdQuote quote(String rate, String source) {
        return new SolUsdQuote(new BigDecimal(rate), source, clock.instant());
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    private double rejected(String reason) {
        return meters.get("tokendiscovery.pricing.sol.usd.rejected").tag("reason", reason).counter().count();
    }

    private List<String> lines(Level level) {
        return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void withoutAnyQuoteTheConfiguredRateIsUsed() {
        SolUsdRate rate = started(redis);
        rate.accept(Optional.empty());
        assertThat(rate.current()).isEqualByComparingTo("150");
        assertThat(rate.source()).isEqualTo(SolUsdRate.CONFIGURED);
        assertThat(gauge("tokendiscovery.pricing.sol.usd")).isEqualTo(150);
        assertThat(gauge("tokendiscovery.pricing.sol.usd.age")).isEqualTo(-1);
        assertThat(logs.list).isEmpty();
    }

    @Test
    void anAcceptedQuoteIsUsedAndCachedInRedis() throws IOException {
        SolUsdRate rate = started(redis);
        rate.accept(quote("142.31", "pump.fun"));
        clock.advance(Duration.ofSeconds(30));

        assertThat(rate.current()).isEqualByComparingTo("142.31");
        assertThat(rate.source()).isEqualTo("pump.fun");
        assertThat(gauge("tokendiscovery.pricing.sol.usd")).isEqualTo(142.31);
        assertThat(gauge("tokendiscovery.pricing.sol.usd.age")).isEqualTo(30);
        JsonNode cached = json.readTree(redis.opsForValue().get(key));
        assertThat(cached.get("rate").asText()).isEqualTo("142.31");
        assertThat(cached.get("source").asText()).isEqualTo("pump.fun");
        assertThat(cached.get("at").asText()).isEqualTo("2025-06-01T12:00:00Z");
        assertThat(redis.getExpire(key)).isEqualTo(-1);
        assertThat(lines(Level.INFO)).containsExactly("SOL/USD rate 142.31 from pump.fun");
    }

    @Test
    void absurdValuesAreRejectedEvenAsTheFirstQuote() {
        SolUsdRate rate = started(redis);
        rate.accept(quote("0.5", "pump.fun"));
        rate.accept(quote("100001", "jupiter"));

        assertThat(rate.current()).isEqualByComparingTo("150");
        assertThat(rejected("absurd")).isEqualTo(2);
        assertThat(redis.hasKey(key)).isFalse();
        assertThat(lines(Level.WARN)).containsExactly(
                "Rejected SOL/USD 0.5 from pump.fun: outside [1, 100000] (tokendiscovery.pricing.sol-usd-min/max)",
                "Rejected SOL/USD 100001 from jupiter: outside [1, 100000] (tokendiscovery.pricing.sol-usd-min/max)");
    }

    @Test
    void theFirstQuoteIsOnlyCheckedAgainstMinAndMax() {
        SolUsdRate rate = started(redis);
        // Far from the configured 150, but nothing live to compare with.
        rate.accept(quote("20", "pump.fun"));
        assertThat(rate.current()).isEqualByComparingTo("20");
        assertThat(rejected("jump")).isZero();
    }

    @Test
    void jumpsFromTheLastAcceptedRateAreRejected() {
        SolUsdRate rate = started(redis);
        rate.accept(quote("100", "pump.fun"));
        clock.advance(Duration.ofSeconds(30));
        rate.accept(quote("151", "pump.fun"));
        rate.accept(quote("49", "binance"));
        assertThat(rate.current()).isEqualByComparingTo("100");
        assertThat(rejected("jump")).isEqualTo(2);
        assertThat(lines(Level.WARN)).first().asString().startsWith(
                "Rejected SOL/USD 151 from pump.fun: 51.0% away from the last accepted 100 (pump.fun at 2025-06-01T12:00:00Z)");

        // Exactly the allowed change is fine, and becomes the new reference.
        rate.accept(quote("150", "binance"));
        assertThat(rate.current()).isEqualByComparingTo("150");
        assertThat(rate.source()).isEqualTo("binance");
    }

    @Test
    void aRealMoveDuringAnOutageIsAcceptedOnceTheOldRateExpired() {
        SolUsdRate rate = started(redis);
        rate.accept(quote("100", "pump.fun"));
        clock.advance(Duration.ofMinutes(10));
        rate.accept(quote("300", "pump.fun"));
        assertThat(rate.current()).isEqualByComparingTo("300");
        assertThat(rejected("jump")).isZero();
    }

    @Test
    void theRateExpiresToTheConfiguredOneAfterMaxAge() {
        SolUsdRate rate = started(redis);
        rate.accept(quote("142", "pump.fun"));

        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        rate.accept(Optional.empty());
        assertThat(rate.current()).isEqualByComparingTo("142");
        assertThat(lines(Level.WARN)).isEmpty();

        clock.advance(Duration.ofMillis(1));
        assertThat(rate.current()).isEqualByComparingTo("150");
        assertThat(rate.source()).isEqualTo(SolUsdRate.CONFIGURED);
        assertThat(gauge("tokendiscovery.pricing.sol.usd")).isEqualTo(150);
        assertThat(gauge("tokendiscovery.pricing.sol.usd.age")).isEqualTo(-1);

        // The route's next (empty) refresh says it once.
        rate.accept(Optional.empty());
        rate.accept(Optional.empty());
        assertThat(lines(Level.WARN)).containsExactly("SOL/USD: no accepted rate younger than 10m; USD values now use "
                + "the configured tokendiscovery.pricing.sol-usd=150");
    }

    @Test
    void aFreshCachedRateIsRestoredOnStart() {
        started(redis).accept(quote("142.31", "pump.fun"));
        clock.advance(Duration.ofMinutes(4));

        // A new process: a new meter registry too.
        SolUsdRate restarted = started(redis, new SimpleMeterRegistry());
        assertThat(restarted.current()).isEqualByComparingTo("142.31");
        assertThat(restarted.source()).isEqualTo("pump.fun");
        assertThat(restarted.ageSeconds()).isEqualTo(240);
        assertThat(lines(Level.INFO)).contains("SOL/USD rate 142.31 from pump.fun restored from Redis (240s old)");

        // It counts as the last accepted rate: the jump check applies to the first refresh after the restart.
        restarted.accept(quote("300", "binance"));
        assertThat(restarted.current()).isEqualByComparingTo("142.31");
        // And it still expires max-age after the quote, not after the restart.
        clock.advance(Duration.ofMinutes(6));
        assertThat(restarted.current()).isEqualByComparingTo("150");
    }

    @Test
    void anOldOrUnreadableCachedRateIsNotUsed() {
        redis.opsForValue().set(key, "{\"rate\":\"142\",\"source\":\"pump.fun\",\"at\":\"2025-06-01T11:49:59Z\"}");
        assertThat(started(redis).source()).isEqualTo(SolUsdRate.CONFIGURED);

        redis.opsForValue().set(key, "142");
        assertThat(started(redis, new SimpleMeterRegistry()).current()).isEqualByComparingTo("150");

        redis.opsForValue().set(key, "{\"rate\":\"0.01\",\"source\":\"pump.fun\",\"at\":\"2025-06-01T12:00:00Z\"}");
        assertThat(started(redis, new SimpleMeterRegistry()).current()).isEqualByComparingTo("150");
    }

    @Test
    void redisDownNeitherFailsTheStartNorTheRate() {
        LettuceConnectionFactory down = connect(SolUsdSourcesTest.closedPort());
        try {
            SolUsdRate rate = started(template(down));
            assertThat(rate.current()).isEqualByComparingTo("150");
            rate.accept(quote("142", "pump.fun"));
            assertThat(rate.current()).isEqualByComparingTo("142");
            assertThat(lines(Level.WARN)).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("Could not"));
        } finally {
            down.destroy();
        }
    }

    @Test
    void thePropertiesOnlyConstructorServesTheConfiguredRateWithoutRedis() {
        SolUsdRate rate = new SolUsdRate(properties);
        assertThat(rate.current()).isEqualByComparingTo("150");
        rate.accept(new SolUsdQuote(new BigDecimal("142"), "pump.fun", Instant.now()));
        assertThat(rate.current()).isEqualByComparingTo("142");
    }
}
