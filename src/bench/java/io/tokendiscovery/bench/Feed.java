package io.tokendiscovery.bench;

import io.tokendiscovery.simulator.PumpPortalSimulator;
import io.tokendiscovery.simulator.SimulatorProperties;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The PumpPortal simulator, run inside the harness (not the app), so its CPU is not the app's and the harness can
 * change its rate, pause it and count what it sent or dropped. Firehose mode: every trade goes to the app's
 * connection. {@link #paceCrafted} sends frames of the harness's own making at a fixed rate instead (the simulator's
 * market paused).
 */
final class Feed implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final PumpPortalSimulator simulator;
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-pacer");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> crafted;
    private long craftedSent;

    /**
     * @param framesPerSecond market frames per second (0: none until {@link #setRate})
     * @param maxActiveMints most mints trading at once
     * @param createShare share of creates among the market's frames
     */
    Feed(double framesPerSecond, int maxActiveMints, double createShare, long seed) {
        SimulatorProperties properties = new SimulatorProperties();
        properties.setFirehose(true);
        properties.setFramesPerSecond(framesPerSecond);
        properties.setMaxActiveMints(maxActiveMints);
        properties.setCreateShare(createShare);
        properties.setSeed(seed);
        this.simulator = new PumpPortalSimulator(properties, vertx);
        simulator.start();
    }

    String url() {
        return simulator.url();
    }

    String apiKey() {
        return "simulator-dev-key";
    }

    void setRate(double framesPerSecond) {
        simulator.setFramesPerSecond(framesPerSecond);
    }

    void awaitConnection() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (simulator.connectionCount() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The app did not connect to the simulator");
            }
            Thread.sleep(100);
        }
    }

    /** Data frames written to the app (market and crafted). */
    long framesSent() {
        return simulator.framesSent();
    }

    /** Frames the simulator dropped because the app's socket buffer was full (the app did not keep up). */
    long framesLost() {
        return simulator.droppedFrames();
    }

    /** Frames the simulator's timer skipped because it fell behind (the harness did not keep up). */
    long framesSkipped() {
        return simulator.skippedFrames();
    }

    /**
     * Sends {@code frame.apply(i)} for i = 0, 1, 2, ... at {@code perSecond}, in 10 ms slices, until
     * {@code total} frames (or forever when total < 0). The market is paused meanwhile.
     */
    synchronized void paceCrafted(IntFunction<String> frame, int perSecond, long total) {
        stopCrafted();
        simulator.setFramesPerSecond(0);
        long[] next = {0};
        long started = System.nanoTime();
        crafted = pacer.scheduleAtFixedRate(() -> {
            long due = (long) ((System.nanoTime() - started) / 1e9 * perSecond);
            if (total >= 0) {
                due = Math.min(due, total);
            }
            int n = (int) Math.max(0, due - next[0]);
            if (n == 0) {
                return;
            }
            String[] batch = new String[n];
            for (int i = 0; i < n; i++) {
                batch[i] = frame.apply((int) (next[0] + i));
            }
            next[0] += n;
            synchronized (this) {
                craftedSent += n;
            }
            simulator.sendRaw(List.of(batch));
        }, 0, 10, TimeUnit.MILLISECONDS);
    }

    /** One frame now, in line with whatever else is being sent. */
    void sendNow(String frame) {
        simulator.sendRaw(frame);
    }

    synchronized long craftedSent() {
        return craftedSent;
    }

    synchronized void stopCrafted() {
        if (crafted != null) {
            crafted.cancel(false);
            crafted = null;
        }
    }

    @Override
    public void close() {
        stopCrafted();
        pacer.shutdownNow();
        simulator.stop();
        vertx.close();
    }
}
