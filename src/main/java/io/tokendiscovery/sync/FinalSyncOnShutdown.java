package io.tokendiscovery.sync;

import io.tokendiscovery.TokenDiscoveryProperties;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextStoppingEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Graceful shutdown (SIGTERM): before Camel stops its routes, stop the feed (the consumer processes the frames it
 * already received) and run one final sync, for at most {@code tokendiscovery.sync.shutdown-timeout}. Whatever the
 * final sync does not finish stays dirty (or in flight until its claim deadline) in Redis for the next start: the
 * flush shortens the recovery, it is not what makes shutdown safe.
 */
@Component
public class FinalSyncOnShutdown extends EventNotifierSupport {

    private static final Logger log = LoggerFactory.getLogger(FinalSyncOnShutdown.class);
    static final String INGEST_ROUTE = "pumpportal-ingest";
    static final String SYNC_ENDPOINT = "direct:redis-to-db-sync";

    private final Duration timeout;

    public FinalSyncOnShutdown(TokenDiscoveryProperties properties) {
        this.timeout = properties.sync().shutdownTimeout();
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelContextStoppingEvent;
    }

    @Override
    public void notify(CamelEvent event) throws Exception {
        CamelContext camel = ((CamelContextStoppingEvent) event).getContext();
        long deadline = System.nanoTime() + timeout.toNanos();
        if (camel.getRoute(INGEST_ROUTE) != null
                && camel.getRouteController().getRouteStatus(INGEST_ROUTE) == ServiceStatus.Started) {
            camel.getRouteController().stopRoute(INGEST_ROUTE, Math.max(1, timeout.toSeconds() / 2), TimeUnit.SECONDS);
        }
        if (camel.hasEndpoint(SYNC_ENDPOINT) == null) {
            return;
        }
        log.info("Shutting down: running a final sync from Redis to database (at most {})", timeout);
        ProducerTemplate producer = camel.createProducerTemplate();
        try {
            CompletableFuture<Object> sync = producer.asyncRequestBody(SYNC_ENDPOINT, null);
            sync.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            log.warn("The final sync did not finish within {}; unsynced changes stay in Redis for the next start",
                    timeout);
        } finally {
            producer.stop();
        }
    }
}
