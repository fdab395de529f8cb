package io.tokendiscovery.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import io.tokendiscovery.cache.TokenStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The price update latency the plan tracks: frame received at the socket -> its change committed in Redis, as the
 * timer {@code tokendiscovery.ingest.redis.latency} (histogram buckets, so p50/p99/p999 can be computed per replica
 * and over all). It includes the time a frame waits in the receive queue during a burst, which is the point.
 */
@Component("ingestLatency")
public class IngestLatency {

    private final Timer redisCommitted;

    public IngestLatency(MeterRegistry meters) {
        this.redisCommitted = Timer.builder("tokendiscovery.ingest.redis.latency")
                .description("Frame received from PumpPortal -> change committed in Redis")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(meters);
    }

    /**
     * After the batch's Redis write: one sample per change Redis took (applied or a duplicate), from its frame's
     * receive time.
     */
    public void redisCommitted(IngestBatch batch, List<TokenStore.Outcome> outcomes) {
        long now = System.nanoTime();
        for (int i = 0; i < outcomes.size(); i++) {
            IngestBatch.Change change = batch.changes().get(i);
            if (change.receivedNanos() != null && outcomes.get(i) != TokenStore.Outcome.REJECTED) {
                redisCommitted.record(Math.max(0, now - change.receivedNanos()), TimeUnit.NANOSECONDS);
            }
        }
    }
}
