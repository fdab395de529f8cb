package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.MutableClock;
import io.tokendiscovery.TestProperties;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.ingest.FeedEvent.TokenCreated;
import io.tokendiscovery.ingest.FeedEvent.TokenTraded;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metered trade streams: above the daily budget only watched mints stay subscribed, until the UTC day ends. */
class TradeBudgetTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T22:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    // 0.00002 SOL = 20 messages at 0.01 SOL per 10,000
    private final TokenDiscoveryProperties properties =
            TestProperties.with(Map.of("tokendiscovery.pumpportal.daily-budget-sol", "0.00002"));
    private final TradeSubscriptions subscriptions = new TradeSubscriptions(properties, clock, meters);
    private final TradeBudget budget = new TradeBudget(subscriptions, clock, properties, meters);

    @Test
    void overTheBudgetOnlyWatchedMintsStaySubscribedUntilMidnight() {
        String watched = TestFrames.key32(1, 1);
        String fresh = TestFrames.key32(2, 1);
        subscriptions.replaceWatched(List.of(watched));
        subscriptions.onNewToken(new TokenCreated("s", fresh, null, "pump", null, null, null, false, 0, 0, 30.0,
                1.073e9, null, 1, clock.millis()));
        subscriptions.drainChanges();
        TokenTraded trade = new TokenTraded("s", fresh, null, true, 1, 0.1, null, null, null, null, 1, clock.millis());
        for (int i = 0; i < 20; i++) {
            budget.record(trade);
        }
        assertThat(budget.isExceeded()).isFalse();
        budget.record(trade);
        assertThat(budget.isExceeded()).isTrue();
        assertThat(subscriptions.desired()).containsExactly(watched);
        assertThat(subscriptions.drainChanges().removed()).containsExactly(fresh);
        assertThat(meters.get("tokendiscovery.pumpportal.trade.messages").counter().count()).isEqualTo(21);
        assertThat(budget.spentTodaySol()).isEqualTo(21 * 0.01 / 10_000);

        clock.advance(Duration.ofHours(1));   // 23:00 UTC: same day
        budget.rollOverIfNewDay();
        assertThat(budget.isExceeded()).isTrue();
        clock.advance(Duration.ofHours(1));   // 00:00 UTC: a new day
        budget.rollOverIfNewDay();
        assertThat(budget.isExceeded()).isFalse();
        assertThat(budget.spentTodaySol()).isZero();
        assertThat(subscriptions.drainChanges().added()).containsExactly(fresh);
    }
}
