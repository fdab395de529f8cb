package io.tokendiscovery.ingest;

import io.tokendiscovery.HealthStatuses;
import io.tokendiscovery.TokenDiscoveryProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * Health of the PumpPortal connection ({@code /actuator/health}, component {@code pumpPortal}; NOT part of readiness:
 * the leader serves the API and live push from Redis like every replica, and taking it out of the Service would not
 * move the feed, docs/operations.md#health): UP while streaming and while a reconnect has lasted less than
 * {@code tokendiscovery.ops.feed-down-grace}, DEGRADED after that (over any number of connect and back-off rounds),
 * UNKNOWN when this replica does not hold the feed (STOPPED).
 * Details (shown only to authorised users) say why, including refused trade streams and a spent daily budget. Never
 * includes the URL's query or the API key.
 */
@Component("pumpPortalHealthIndicator")
public class PumpPortalHealthIndicator extends AbstractHealthIndicator {

    private final PumpPortalClient client;
    private final TradeSubscriptions subscriptions;
    private final TradeBudget budget;
    private final Clock clock;
    private final Duration downGrace;

    public PumpPortalHealthIndicator(PumpPortalClient client, TradeSubscriptions subscriptions, TradeBudget budget,
            Clock clock, TokenDiscoveryProperties properties) {
        super("PumpPortal health check failed");
        this.client = client;
        this.subscriptions = subscriptions;
        this.budget = budget;
        this.clock = clock;
        this.downGrace = properties.ops().feedDownGrace();
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        ConnectionState state = client.state();
        switch (state) {
            case STREAMING -> builder.up();
            case STOPPED -> builder.unknown().withDetail("role", "not connected here: another replica holds the feed (or shutting down)");
            default -> {
                if (clock.millis() - client.downSince() > downGrace.toMillis()) {
                    builder.status(HealthStatuses.DEGRADED);
                } else {
                    builder.up().withDetail("reconnecting", true);
                }
            }
        }
        builder.withDetail("state", state)
                .withDetail("since", Instant.ofEpochMilli(client.stateSince()).toString())
                .withDetail("subscribedMints", subscriptions.size())
                .withDetail("tradeStreams", client.tradesRefused()
                        ? "unavailable: PumpPortal requires an API key funded with at least 0.02 SOL (PUMPPORTAL_API_KEY)"
                        : budget.isExceeded() ? "reduced to watched mints: daily budget spent" : "available")
                .withDetail("tradeSpendTodaySol", budget.spentTodaySol());
        if (!client.lastDisconnectReason().isEmpty()) {
            builder.withDetail("lastDisconnect", client.lastDisconnectReason());
        }
    }
}
