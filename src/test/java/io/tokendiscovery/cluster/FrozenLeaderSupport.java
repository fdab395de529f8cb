package io.tokendiscovery.cluster;

import static org.awaitility.Awaitility.await;

import io.tokendiscovery.TestPorts;
import io.tokendiscovery.devservices.EmbeddedPostgresServer;
import io.tokendiscovery.devservices.EmbeddedRedis;
import io.tokendiscovery.ingest.TestFrames;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;

/**
 * Real app processes (as in {@link FeedFailoverTest}) against a {@link RecordingPumpPortal}, shared embedded Redis and
 * PostgreSQL, and a way to freeze one of them: {@code kill -STOP} / {@code kill -CONT} (Java has no SIGSTOP API).
 */
abstract class FrozenLeaderSupport {

    record App(int index, Process process) {
        long pid() {
            return process.pid();
        }
    }

    final Path work;
    final EmbeddedRedis redis;
    final EmbeddedPostgresServer postgres;
    final RecordingPumpPortal pumpPortal;
    final List<App> apps = new ArrayList<>();
    private final AtomicLong frames = new AtomicLong();
    private final long salt = System.nanoTime();

    FrozenLeaderSupport(String name) throws Exception {
        work = Files.createDirectories(Path.of("target", name));
        redis = EmbeddedRedis.start(Files.createTempDirectory(work, "redis"));
        postgres = EmbeddedPostgresServer.start(Files.createTempDirectory(work, "postgres"),
                Files.createDirectories(Path.of("target", "failover-test", "postgres-bin")));
        pumpPortal = new RecordingPumpPortal();
    }

    /** Starts an app process with the given extra system properties and environment. */
    App launch(int index, List<String> systemProperties, Map<String, String> extraEnv) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx300m",
                "-XX:TieredStopAtLevel=1"));
        command.addAll(systemProperties);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "io.tokendiscovery.TokenDiscoveryApplication"));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("PORT", Integer.toString(TestPorts.free()));
        env.put("LIVE_PORT", Integer.toString(TestPorts.free()));
        env.put("SPRING_DATA_REDIS_URL", redis.url());
        env.put("SPRING_DATASOURCE_URL", postgres.jdbcUrl());
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("PUMPPORTAL_URL", pumpPortal.url());
        env.put("PUMPPORTAL_API_KEY", "simulator-dev-key");
        env.put("TOKENDISCOVERY_SYNC_INITIALDELAY", "1s");
        env.put("TOKENDISCOVERY_EMBEDDED_DATADIR", "");
        env.put("CAMEL_MAIN_ROUTESRELOADENABLED", "false");
        env.putAll(extraEnv);
        builder.redirectErrorStream(true).redirectOutput(work.resolve("app-" + index + ".log").toFile());
        builder.directory(new File("."));
        App app = new App(index, builder.start());
        apps.add(app);
        return app;
    }

    void stopEverything() {
        apps.forEach(app -> {
            try {
                if (app.process().isAlive()) {
                    signal("CONT", app);
                }
            } catch (RuntimeException ignored) {
                // gone meanwhile
            }
            app.process().destroyForcibly();
        });
        pumpPortal.close();
        postgres.close();
        redis.close();
    }

    static void signal(String signal, App app) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(app.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + app.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The one open connection that has subscribed (sent subscribeNewToken), once there is exactly one. */
    RecordingPumpPortal.Connection awaitOneSubscribedConnection(Duration within) {
        RecordingPumpPortal.Connection[] found = new RecordingPumpPortal.Connection[1];
        await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<RecordingPumpPortal.Connection> open = pumpPortal.open();
            if (open.size() == 1 && open.get(0).messages.stream()
                    .anyMatch(m -> m.text().contains("subscribeNewToken"))) {
                found[0] = open.get(0);
                return true;
            }
            return false;
        });
        return found[0];
    }

    /** A new unique mint, and a valid create frame for it. */
    String[] newCreate() {
        long n = frames.incrementAndGet();
        String mint = TestFrames.key32(n, salt);
        String frame = String.format(Locale.ROOT, "{\"signature\":\"%s\",\"mint\":\"%s\",\"traderPublicKey\":\"%s\","
                + "\"txType\":\"create\",\"initialBuy\":2115327.702796,\"solAmount\":0.059259258,"
                + "\"bondingCurveKey\":\"%s\",\"vTokensInBondingCurve\":1070884672.297204,"
                + "\"vSolInBondingCurve\":30.059259257999976,\"marketCapSol\":28.069557848389476,\"name\":\"Frozen\","
                + "\"symbol\":\"FRZ\",\"uri\":\"https://example.org/f.json\",\"is_mayhem_mode\":false,"
                + "\"pool\":\"pump\"}", TestFrames.signature(n, salt), mint, TestFrames.key32(7, 7),
                TestFrames.key32(9, 9));
        return new String[] {mint, frame};
    }

    /** Sends {@code count} new creates to the connection; returns their mints. */
    List<String> sendCreates(RecordingPumpPortal.Connection connection, int count) {
        List<String> mints = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String[] create = newCreate();
            pumpPortal.send(connection, create[1]);
            mints.add(create[0]);
        }
        return mints;
    }

    Jedis jedis() {
        return new Jedis("127.0.0.1", redis.port());
    }

    List<String> inRedis(List<String> mints) {
        try (Jedis jedis = jedis()) {
            return mints.stream().filter(mint -> jedis.exists("td:token:" + mint)).toList();
        }
    }

    static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
