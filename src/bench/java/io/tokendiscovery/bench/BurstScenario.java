package io.tokendiscovery.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Warms the app up at {@code bench.burstWarmupRate} (a rate it sustains, so the JIT warm-up leaves no backlog in the
 * first step), then ramps the firehose through {@code bench.burstRates}, {@code bench.burstStep} per step (after 2 s
 * to settle), and
 * stops one step after the knee: the first step whose p99 frame -> Redis exceeds 1 s, or where frames were lost
 * (the app's socket buffer full at the simulator), or fewer than 95 % of the frames sent were accepted. Sync and
 * Phase 1 at the production interval (5 minutes).
 */
final class BurstScenario {

    static final double KNEE_P99_MS = 1000;

    private BurstScenario() {}

    static List<WindowResult> run(BenchSettings settings, Mode mode, int repeat) throws Exception {
        List<Integer> rates = settings.burstRates();
        System.out.printf("[burst] %s: rates %s, %s per step%n", mode.label, rates, settings.burstStep());
        List<WindowResult> steps = new ArrayList<>();
        try (BenchServers servers = BenchServers.start(settings, java.time.Duration.ofMinutes(5));
                Feed feed = new Feed(Math.min(settings.burstWarmupRate(), rates.get(0)), 500, 0.05, 7 + repeat);
                AppUnderTest t = AppUnderTest.start(settings, mode, servers, feed, "0 0/5 * * * ?", 300_000, true,
                        Map.of(), settings.out().resolve("logs/burst-" + mode.label + "-" + repeat + ".log"))) {
            Thread.sleep(settings.burstWarmup().toMillis());
            boolean kneeSeen = false;
            for (int rate : rates) {
                feed.setRate(rate);
                Thread.sleep(2000);
                WindowResult step = Window.measure(t, "burst", Integer.toString(rate), settings.burstStep());
                steps.add(step);
                System.out.printf("[burst] %s %d/s: accepted %.0f/s, p99 %.1f ms, lost %d, skipped %d%n", mode.label,
                        rate, step.acceptedPerSecond(), step.redisLatency()[1], step.framesLost(),
                        step.framesSkipped());
                if (kneeSeen) {
                    break;
                }
                kneeSeen = isKnee(step);
            }
        }
        return steps;
    }

    static boolean isKnee(WindowResult step) {
        return step.redisLatency()[1] > KNEE_P99_MS || step.framesLost() > 0
                || step.framesAccepted() < 0.95 * step.framesSent();
    }
}
