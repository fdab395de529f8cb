package io.tokendiscovery.bench;

import java.time.Duration;
import java.util.Map;

/**
 * Many tokens: {@code bench.manyTokens} (100,000) distinct mints, each traded at least once per sync interval
 * (crafted buys, round robin, {@code bench.manyRate} frames/s; the interval must be at least tokens / rate), so
 * every sync claims about all of them. Sync (or Phase 1) every {@code bench.manyInterval}.
 */
final class ManyTokensScenario {

    private ManyTokensScenario() {}

    static WindowResult run(BenchSettings settings, Mode mode, int repeat) throws Exception {
        Duration interval = settings.manyInterval();
        int tokens = settings.manyTokens();
        System.out.printf("[many] %s: %d mints at %d frames/s, sync every %s%n", mode.label, tokens,
                settings.manyRate(), interval);
        CraftedTrades trades = new CraftedTrades(tokens, 100 + repeat, System.nanoTime());
        try (BenchServers servers = BenchServers.start(settings, Duration.ofMinutes(5));
                Feed feed = new Feed(0, 500, 0.05, 3);
                AppUnderTest t = AppUnderTest.start(settings, mode, servers, feed, Crons.every(interval),
                        interval.toMillis(), false, Map.of(),
                        settings.out().resolve("logs/many-" + mode.label + "-" + repeat + ".log"))) {
            feed.paceCrafted(trades::frame, settings.manyRate(), -1);
            // warm-up: every mint seen once, then one full interval
            Thread.sleep(1000L * tokens / settings.manyRate() + interval.toMillis());
            Window.awaitMidInterval(interval);
            WindowResult result = Window.measure(t, "many", tokens + " mints",
                    interval.multipliedBy(settings.manyIntervals()));
            feed.stopCrafted();
            return result;
        }
    }
}
