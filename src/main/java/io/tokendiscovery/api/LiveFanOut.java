package io.tokendiscovery.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tokendiscovery.cache.TokenStore;
import io.tokendiscovery.cache.TokenUpdate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.seda.SedaComponent;
import org.springframework.stereotype.Component;

/**
 * The leader's side of the live fan-out (docs/read-side.md#live-fan-out). After the ingest's Redis write of a batch,
 * {@link #ticks} turns the batch's new prices into ONE message, {@code {"at":<epoch ms>,"ticks":[<tick>,...]}}, which
 * the ingest route hands to {@code seda:live-ticks} (bounded) and forgets; the {@code live-ticks-publish} route
 * PUBLISHes it to the Redis channel {@code <key-prefix>live:ticks} with the camel-spring-redis producer, and every
 * replica's {@code live-ticks-subscribe} route hands it to {@link LivePush#fanOut}.
 *
 * <p>The PUBLISH is a synchronous round trip on the shared Redis connection (about 0.1 ms locally, up to the command
 * timeout while Redis is down), so the ingest thread never makes it: when the hand-off queue is full the batch's
 * ticks are dropped and counted ({@code tokendiscovery.live.fanout.dropped{stage="publish-queue"}}) instead of
 * waiting. A UI needs the latest price, and the next tick brings it.
 */
@Component("liveFanOut")
public class LiveFanOut {

    static final String QUEUE = "live-ticks";

    private final CamelContext camel;
    private final Clock clock;
    private final Counter queueFull;
    private final Counter publishFailed;
    private final Counter published;
    private final Counter received;
    private final Timer lag;
    private volatile BlockingQueue<?> queue;

    public LiveFanOut(CamelContext camel, Clock clock, MeterRegistry meters) {
        this.camel = camel;
        this.clock = clock;
        this.queueFull = dropped(meters, "publish-queue");
        this.publishFailed = dropped(meters, "publish-failed");
        dropped(meters, "deliver-queue");
        this.published = Counter.builder("tokendiscovery.live.fanout.published")
                .description("Batches of ticks published to the live Redis channel (feed leader)").register(meters);
        this.received = Counter.builder("tokendiscovery.live.fanout.received")
                .description("Batches of ticks received from the live Redis channel (every replica)").register(meters);
        this.lag = Timer.builder("tokendiscovery.live.fanout.lag")
                .description("Batch handed off by the leader's ingest -> received from Redis by this replica")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    static Counter dropped(MeterRegistry meters, String stage) {
        return Counter.builder("tokendiscovery.live.fanout.dropped").tag("stage", stage)
                .description("Batches of ticks dropped on their way to the UIs (see docs/operations.md)")
                .register(meters);
    }

    /**
     * On the ingest thread: the batch's new prices (each change that set a newer price, in receive order) as one
     * message, or null when there are none or the hand-off queue is full (counted). Never blocks.
     *
     * @param outcomes the Redis outcome of each update, same order
     */
    public String ticks(List<TokenUpdate> updates, List<TokenStore.Outcome> outcomes) {
        StringBuilder message = null;
        for (int i = 0; i < updates.size(); i++) {
            TokenUpdate update = updates.get(i);
            if (update.tick() == null || outcomes.get(i) != TokenStore.Outcome.NEWEST) {
                continue;
            }
            if (message == null) {
                message = new StringBuilder(256 * (updates.size() - i)).append("{\"at\":").append(clock.millis())
                        .append(",\"ticks\":[");
            } else {
                message.append(',');
            }
            message.append(update.tick());
        }
        if (message == null) {
            return null;
        }
        BlockingQueue<?> handOff = queue();
        if (handOff != null && handOff.remainingCapacity() == 0) {
            queueFull.increment();
            return null;
        }
        return message.append("]}").toString();
    }

    private BlockingQueue<?> queue() {
        BlockingQueue<?> current = queue;
        if (current == null) {
            SedaComponent seda = camel.getComponent("seda", SedaComponent.class);
            var reference = seda.getQueues().get(QUEUE);
            if (reference != null) {
                current = reference.getQueue();
                queue = current;
            }
        }
        return current;
    }

    /** After the PUBLISH (live-ticks-publish). */
    public void published() {
        published.increment();
    }

    /** A PUBLISH that failed (Redis down): the batch is dropped (live-fan-out-error-handling). */
    public void publishFailed() {
        publishFailed.increment();
    }

    /** A batch received from the channel (live-ticks-subscribe), before it goes to the local clients. */
    public void received(String batch) {
        received.increment();
        int at = batch.indexOf("\"at\":");
        if (at >= 0) {
            int end = batch.indexOf(',', at);
            try {
                long handedOff = Long.parseLong(batch.substring(at + 5, end));
                lag.record(Math.max(0, clock.millis() - handedOff), TimeUnit.MILLISECONDS);
            } catch (RuntimeException notOurs) {
                // a message of another publisher: no lag sample
            }
        }
    }
}
