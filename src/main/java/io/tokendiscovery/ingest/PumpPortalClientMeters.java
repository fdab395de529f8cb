package io.tokendiscovery.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The PumpPortal client's meters: reconnects, refusals, zombie re-subscriptions, fence trips, its state, pause and down time. */
final class PumpPortalClientMeters {

    final Counter reconnects;
    final Counter refusals;
    final Counter zombieResubscribes;
    final Counter fenceTrips;
    final Counter fencedFrames;

    /** Registers the meters; the gauges read {@code client} (held weakly, as Micrometer gauges do). */
    PumpPortalClientMeters(MeterRegistry meters, PumpPortalClient client) {
        this.reconnects = Counter.builder("tokendiscovery.pumpportal.reconnects")
                .description("Connection attempts after the first one")
                .register(meters);
        this.refusals = Counter.builder("tokendiscovery.pumpportal.trade.refusals")
                .description("Funded-key refusal notices received for trade subscriptions")
                .register(meters);
        this.zombieResubscribes = Counter.builder("tokendiscovery.pumpportal.zombie.resubscribes")
                .description("Mints re-subscribed because their trades had gone silent")
                .register(meters);
        this.fenceTrips = Counter.builder("tokendiscovery.pumpportal.fence.trips")
                .description("Connections closed because the feed leadership was no longer confirmed (a frozen or "
                        + "partitioned leader)")
                .register(meters);
        this.fencedFrames = Counter.builder("tokendiscovery.pumpportal.fenced.frames")
                .description("Frames received but not applied because the feed leadership was no longer confirmed")
                .register(meters);
        Gauge.builder("tokendiscovery.pumpportal.connection.state", client, c -> c.state().ordinal())
                .description("0 STOPPED, 1 CONNECTING, 2 SUBSCRIBING, 3 STREAMING, 4 BACKING_OFF")
                .register(meters);
        Gauge.builder("tokendiscovery.pumpportal.paused", client, c -> c.pausedByConsumer() ? 1 : 0)
                .description("1 while the socket is paused because the receive queue is full (back-pressure)")
                .register(meters);
        // What the alert TokenDiscoveryFeedDisconnected reads: a threshold on this value (not `for:` over the state)
        // keeps the normal reconnects, a start and a takeover from ever making the alert pending.
        Gauge.builder("tokendiscovery.pumpportal.down", client, PumpPortalClient::downSeconds)
                .description("Seconds this replica's feed has been trying to (re)connect without streaming; 0 while "
                        + "streaming and on a replica that does not hold the feed")
                .baseUnit("seconds")
                .register(meters);
    }
}
