package io.tokendiscovery.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Trade streams are a metered cost (PumpPortal charges per 10,000 delivered trade messages). Counts every delivered
 * trade message and, above the daily budget (UTC day), shrinks the trade subscriptions to the watched mints until
 * the day ends.
 */
@Component("tradeBudget")
public class TradeBudget {

    private static final Logger log = LoggerFactory.getLogger(TradeBudget.class);
    private static final long DAY_MILLIS = 86_400_000L;

    private final TradeSubscriptions subscriptions;
    private final Clock clock;
    private final double budgetSol;
    private final double solPerMessage;
    private final Counter messages;
    private long day;
    private long messagesToday;
    private boolean exceeded;

    public TradeBudget(TradeSubscriptions subscriptions, Clock clock, TokenDiscoveryProperties properties,
            MeterRegistry meters) {
        this.subscriptions = subscriptions;
        this.clock = clock;
        this.budgetSol = properties.pumpportal().dailyBudgetSol();
        this.solPerMessage = properties.pumpportal().solPer10kTradeMessages() / 10_000d;
        this.day = clock.millis() / DAY_MILLIS;
        this.messages = Counter.builder("tokendiscovery.pumpportal.trade.messages")
                .description("Trade messages delivered by PumpPortal (metered: 0.01 SOL per 10,000)")
                .register(meters);
        Gauge.builder("tokendiscovery.pumpportal.trade.spend.today", this, TradeBudget::spentTodaySol)
                .description("Cost of today's (UTC) delivered trade messages")
                .baseUnit("sol")
                .register(meters);
    }

    /** One delivered trade message (counted before deduplication: PumpPortal charges for what it sends). */
    public synchronized void record(FeedEvent.TokenTraded trade) {
        rollOverIfNewDay();
        messages.increment();
        messagesToday++;
        if (!exceeded && budgetSol > 0 && spentTodaySol() > budgetSol) {
            exceeded = true;
            subscriptions.restrictToWatched(true);
            log.warn("Daily PumpPortal trade budget of {} SOL spent ({} trade messages today): trade subscriptions "
                    + "are reduced to the watched mints until 00:00 UTC. Raise tokendiscovery.pumpportal."
                    + "daily-budget-sol to keep following new tokens.", budgetSol, messagesToday);
        }
    }

    /** Called on a timer as well, so the restriction is lifted at midnight even when no trade arrives. */
    public synchronized void rollOverIfNewDay() {
        long today = clock.millis() / DAY_MILLIS;
        if (today != day) {
            day = today;
            messagesToday = 0;
            if (exceeded) {
                exceeded = false;
                subscriptions.restrictToWatched(false);
                log.info("New UTC day: PumpPortal trade budget reset, new tokens' trades are subscribed again");
            }
        }
    }

    public synchronized double spentTodaySol() {
        return messagesToday * solPerMessage;
    }

    public synchronized boolean isExceeded() {
        return exceeded;
    }
}
