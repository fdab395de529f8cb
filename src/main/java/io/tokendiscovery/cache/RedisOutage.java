package io.tokendiscovery.cache;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.stereotype.Component;

/**
 * Whether Redis is unreachable, as the ingest and the dead-letter store see it, and the ingest's retry rule during an
 * outage (docs/operations.md#redis-outage).
 *
 * <p>An outage starts with the first failure that means "Redis cannot be reached" ({@link #isUnavailable}: connection
 * refused or lost, a command or reply that timed out) and ends with the next Redis write that succeeds. While it
 * lasts less than {@code tokendiscovery.ingest.redis-outage-max-wait}, the ingest keeps retrying its batch: the
 * dispatcher thread waits, the receive queue fills and the socket is paused, so no frame is dropped. Past that bound a
 * batch gets one attempt and is then dead-lettered, into the dead-letter store's in-memory spill while Redis is down.
 */
@Component("redisOutage")
public class RedisOutage {

    private static final Logger log = LoggerFactory.getLogger(RedisOutage.class);
    /** Retries of a batch that failed for any other reason (a bug, a rejected value): as before, then dead-lettered. */
    static final int OTHER_FAILURE_RETRIES = 5;

    private final Clock clock;
    private final long maxWaitMillis;
    private final Counter outages;
    private final Counter unavailable;
    private volatile long since;

    public RedisOutage(Clock clock, TokenDiscoveryProperties properties, MeterRegistry meters) {
        this.clock = clock;
        this.maxWaitMillis = properties.ingest().redisOutageMaxWait().toMillis();
        this.outages = Counter.builder("tokendiscovery.redis.outages")
                .description("Redis outages seen by this replica (first unreachable failure after a success)")
                .register(meters);
        this.unavailable = Counter.builder("tokendiscovery.ingest.redis.unavailable")
                .description("Redis writes of the ingest and the dead-letter store that failed because Redis was "
                        + "unreachable (each retry of a batch counts)")
                .register(meters);
        Gauge.builder("tokendiscovery.redis.outage.seconds", this, RedisOutage::seconds)
                .description("Seconds since Redis became unreachable for this replica; 0 while it answers")
                .register(meters);
    }

    /** True when the failure means Redis could not be reached or did not answer in time (anywhere in the causes). */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisConnectionFailureException || t instanceof QueryTimeoutException
                    || t instanceof RedisConnectionException || t instanceof RedisCommandTimeoutException
                    || t instanceof ConnectException || t instanceof ClosedChannelException
                    || t instanceof TimeoutException) {
                return true;
            }
            String message = String.valueOf(t.getMessage());
            if (t instanceof io.lettuce.core.RedisException
                    && (message.contains("Connection closed") || message.contains("Connection is closed")
                        || message.contains("Currently not connected"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The ingest batch's {@code retryWhile}: a Redis-unreachable failure is retried while the outage is younger than
     * {@code redis-outage-max-wait}; any other failure {@value #OTHER_FAILURE_RETRIES} times.
     */
    public boolean retryBatch(Exchange exchange) {
        Throwable failure = exchange.getException() != null
                ? exchange.getException() : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (isUnavailable(failure)) {
            failed(failure);
            boolean retry = clock.millis() - since < maxWaitMillis;
            if (!retry) {
                log.error("Redis has been unreachable for {} s, longer than tokendiscovery.ingest.redis-outage-max-wait "
                        + "({} s): this batch is dead-lettered (kept in memory until Redis is back)", seconds(),
                        maxWaitMillis / 1000);
            }
            return retry;
        }
        Integer counter = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        return counter == null || counter <= OTHER_FAILURE_RETRIES;
    }

    /** A Redis call failed because Redis is unreachable: starts the outage if none is running. */
    public void failed(Throwable cause) {
        unavailable.increment();
        if (since == 0) {
            synchronized (this) {
                if (since == 0) {
                    since = Math.max(1, clock.millis());
                    outages.increment();
                    log.error("Redis is unreachable ({}): the ingest holds its batch and retries, the receive queue fills "
                            + "and the PumpPortal socket is paused; dead letters are kept in memory until Redis is back",
                            cause == null ? "unknown" : rootMessage(cause));
                }
            }
        }
    }

    /** A Redis write succeeded: ends the outage, if any. */
    public void succeeded() {
        if (since != 0) {
            synchronized (this) {
                if (since != 0) {
                    log.warn("Redis answers again after an outage of {} s", seconds());
                    since = 0;
                }
            }
        }
    }

    /** True while an outage runs (between a Redis-unreachable failure and the next success). */
    public boolean down() {
        return since != 0;
    }

    public double seconds() {
        long start = since;
        return start == 0 ? 0 : Math.max(0, clock.millis() - start) / 1000d;
    }

    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
