package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.TokenDiscoveryProperties.SolUsdSource;
import io.tokendiscovery.ingest.SolUsdSourcesTest.StubServer;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * routes/sol-usd-rate.camel.yaml as operators deploy it, in a bare CamelContext (no Spring, no database): the timer
 * fetches from a stub source and the rate in use follows; an empty fetch goes through the route without error.
 */
class SolUsdRateRouteTest {

    private final StubServer stub = new StubServer();
    private final CamelContext camel = new DefaultCamelContext();
    /** job-error-handling logs a failed run under the route id. */
    private final Logger routeLog = (Logger) LoggerFactory.getLogger("sol-usd-rate");
    private final ListAppender<ILoggingEvent> routeLines = new ListAppender<>();

    @AfterEach
    void stop() {
        routeLog.detachAppender(routeLines);
        camel.stop();
        stub.close();
    }

    @Test
    void theRouteFetchesAndAcceptsTheRate() throws Exception {
        AtomicReference<StubServer.Reply> reply = new AtomicReference<>(new StubServer.Reply(503, ""));
        String url = stub.answer("/sol-price", reply::get);
        String interval = "tokendiscovery.pricing.sol-usd-refresh-interval";
        // A generous HTTP timeout: on a loaded CI machine a 500 ms one can fail every fetch of the await below.
        TokenDiscoveryProperties properties = SolUsdSourcesTest.properties(
                Map.of(interval, "1s", "tokendiscovery.pricing.sol-usd-http-timeout", "5s"),
                new SolUsdSource("stub", url, "/solPrice"));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SolUsdRate rate = new SolUsdRate(properties);
        camel.getRegistry().bind("solUsdSources",
                new SolUsdSources(properties, new ObjectMapper(), meters, Clock.systemUTC()));
        camel.getRegistry().bind("solUsdRate", rate);
        Properties placeholders = new Properties();
        placeholders.setProperty(interval, "1s");
        // error-handling.camel.yaml's retry policy beans read the sync's retry settings when the file is loaded
        placeholders.setProperty("tokendiscovery.sync.retries", "3");
        placeholders.setProperty("tokendiscovery.sync.retry-delay-ms", "1000");
        camel.getPropertiesComponent().setInitialProperties(placeholders);

        // The route runs on the feed leader (master:feed): this context is the only member of its file cluster.
        FileLockClusterService cluster = new FileLockClusterService();
        cluster.setRoot(Files.createTempDirectory("sol-usd-cluster").toString());
        cluster.setAcquireLockDelay(10, TimeUnit.MILLISECONDS);
        // Camel's default is 10 s between lock attempts and heartbeats: a heartbeat that times out on a loaded
        // machine would stop the route for longer than the awaits below.
        cluster.setAcquireLockInterval(250, TimeUnit.MILLISECONDS);
        camel.addService(cluster);

        routeLines.start();
        routeLog.addAppender(routeLines);
        // The job-error-handling configuration the route refers to comes with it, as in the application.
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                ResourceHelper.resolveMandatoryResource(camel, "file:routes/error-handling.camel.yaml"),
                ResourceHelper.resolveMandatoryResource(camel, "file:routes/sol-usd-rate.camel.yaml"));
        camel.start();
        assertThat(camel.getRoute("sol-usd-rate")).isNotNull();

        // Nothing fetched: an empty body reaches accept without error, the configured rate stays. The timer runs
        // one exchange at a time, so a second fetch means the first went all the way through.
        await().atMost(Duration.ofSeconds(30)).until(() -> meters.find("tokendiscovery.pricing.sol.usd.failures")
                .counters().stream().mapToDouble(Counter::count).sum() >= 2);
        assertThat(routeLines.list).isEmpty();
        assertThat(rate.source()).isEqualTo(SolUsdRate.CONFIGURED);

        reply.set(StubServer.ok("{\"solPrice\":142.31,\"asOfTimestamp\":" + System.currentTimeMillis() + ",\"stale\":false}"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(rate.current()).isEqualByComparingTo("142.31");
            assertThat(rate.source()).isEqualTo("stub");
        });
        assertThat(routeLines.list).isEmpty();
    }
}
