package io.tokendiscovery.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Counts per-swap writes that failed in write-through mode ({@code tokendiscovery.write.through.failures}) and logs
 * them without flooding: the first failure, then one line per 1,000. Nothing is lost: the token stays dirty.
 */
@Component("writeThroughFailures")
public class WriteThroughFailures {

    private static final Logger log = LoggerFactory.getLogger(WriteThroughFailures.class);

    private final Counter failures;
    private final AtomicLong count = new AtomicLong();

    public WriteThroughFailures(MeterRegistry meters) {
        this.failures = Counter.builder("tokendiscovery.write.through.failures")
                .description("Per-swap PostgreSQL writes that failed in write-through mode (the next sync retries them)")
                .register(meters);
    }

    public void record(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        failures.increment();
        long n = count.incrementAndGet();
        if (n == 1 || n % 1000 == 0) {
            log.warn("Write-through to PostgreSQL failed ({} so far); the change stays dirty for the next sync: {}",
                    n, cause == null ? "unknown" : cause.getMessage());
        }
    }
}
