package io.tokendiscovery.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * The periodic "frames are arriving" log line: frames by type and dead letters since the previous line, from the
 * same Micrometer counters Prometheus scrapes, plus the connection state.
 */
@Component("ingestStats")
public class IngestStats {

    private final MeterRegistry meters;
    private final PumpPortalClient client;
    private final TradeSubscriptions subscriptions;
    private final Map<String, Double> previous = new TreeMap<>();

    public IngestStats(MeterRegistry meters, PumpPortalClient client, TradeSubscriptions subscriptions) {
        this.meters = meters;
        this.client = client;
        this.subscriptions = subscriptions;
    }

    /** @return e.g. {@code Ingest: 1523 frames since last report (buy=900, create=40, ...), deadLettered=2, connection=STREAMING} */
    public synchronized String summary() {
        Map<String, Long> frames = deltas("tokendiscovery.ingest.frames", "type");
        Map<String, Long> rejected = deltas("tokendiscovery.ingest.dead.letters", "reason");
        long total = frames.values().stream().mapToLong(Long::longValue).sum();
        long dead = rejected.values().stream().mapToLong(Long::longValue).sum();
        return "Ingest: " + total + " frames since last report " + frames + ", deadLettered=" + dead
                + (dead > 0 ? " " + rejected : "") + ", subscribedMints=" + subscriptions.size()
                + ", connection=" + client.state()
                + (client.tradesRefused() ? " (trade streams refused: funded API key needed)" : "");
    }

    private Map<String, Long> deltas(String name, String tag) {
        Map<String, Long> deltas = new TreeMap<>();
        for (Counter counter : meters.find(name).counters()) {
            String key = name + "|" + counter.getId().getTag(tag);
            double now = counter.count();
            double before = previous.getOrDefault(key, 0d);
            previous.put(key, now);
            if (now - before > 0) {
                deltas.put(counter.getId().getTag(tag), Math.round(now - before));
            }
        }
        return deltas;
    }
}
