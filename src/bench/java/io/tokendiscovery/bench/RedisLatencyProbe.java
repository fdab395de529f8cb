package io.tokendiscovery.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Frame -> committed in Redis, measured from outside the app: 50 times a second the harness sends a probe trade
 * (for one of 1,024 probe mints, round robin) through the simulator's connection, in line with the load, and
 * listens to Redis keyspace notifications of those mints' {@code prices:} keys; the time from send to notification
 * is the sample. It includes the WebSocket hop and the app's receive queue, plus the notification's way back
 * (loopback pub/sub, well under a millisecond). Needs {@code CONFIG SET notify-keyspace-events}, so only on the
 * harness's own embedded Redis. A sample older than one rotation (20.5 s) would be attributed to the next send. Its
 * mints are tokens like any other (dirty, synced), so it runs only where 1,024 extra tokens do not matter (burst).
 */
final class RedisLatencyProbe implements AutoCloseable {

    private static final int MINTS = 1024;

    private final CraftedTrades probes = new CraftedTrades(MINTS, 9_999, System.nanoTime());
    private final AtomicLongArray sentAt = new AtomicLongArray(MINTS);
    private final LatencyRecorder latencies = new LatencyRecorder();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "redis-probe");
        t.setDaemon(true);
        return t;
    });
    private final Jedis subscriber;
    private final JedisPubSub listener;
    private int sent;

    RedisLatencyProbe(BenchServers servers, Feed feed) throws InterruptedException {
        try (Jedis admin = new Jedis(servers.redisHost(), servers.redisPort())) {
            admin.configSet("notify-keyspace-events", "K$");
        }
        String[] channels = new String[MINTS];
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < MINTS; i++) {
            channels[i] = "__keyspace@" + servers.redisDatabase() + "__:" + servers.keyPrefix() + "prices:"
                    + probes.mint(i);
            index.put(channels[i], i);
        }
        this.subscriber = new Jedis(servers.redisHost(), servers.redisPort());
        this.listener = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                Integer i = index.get(channel);
                long sent = i == null ? 0 : sentAt.getAndSet(i, 0);
                if (sent > 0) {
                    latencies.record((System.nanoTime() - sent) / 1e6);
                }
            }
        };
        Thread thread = new Thread(() -> {
            try {
                subscriber.subscribe(listener, channels);
            } catch (RuntimeException e) {
                // closed at the end of the run
            }
        }, "redis-probe-listener");
        thread.setDaemon(true);
        thread.start();
        while (listener.getSubscribedChannels() < MINTS) {
            Thread.sleep(20);
        }
        timer.scheduleAtFixedRate(() -> {
            int n = sent++;
            sentAt.set(n % MINTS, System.nanoTime());
            feed.sendNow(probes.frame(n));
        }, 20, 20, TimeUnit.MILLISECONDS);
    }

    LatencyRecorder latencies() {
        return latencies;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        listener.unsubscribe();
        subscriber.close();
    }
}
