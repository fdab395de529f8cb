package io.tokendiscovery.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokendiscovery.TestPorts;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A normal zero-setup start (default profile: embedded Redis and PostgreSQL, the simulator as the feed, every job
 * scheduled, this replica the leader) logs no WARN or ERROR line: a warning at start must mean that something is
 * wrong. Nothing is allow-listed. The only differences from {@code ./mvnw spring-boot:run} keep it beside other
 * runs: free ports, throw-away data and cluster folders, and SOL/USD sources that never resolve (RFC 6761
 * {@code .invalid}), i.e. the offline machine, deterministic with or without internet access.
 *
 * <p>The app runs as its own process and its own output is read: in the test JVM the Spring contexts other tests
 * cached keep running (their feeds, jobs and timeouts on a loaded machine) and write to the same console. It waits
 * past the first SOL/USD refresh (1 s after start) and the master: consumers' start tasks (5 s after the leadership
 * is taken).
 *
 * <p>Fails on the code before issue 17: its zero-setup start logged ten "The task Leadership does not have more
 * budget to continue running" (one per master: route, camel-master 4.17, see {@link FeedMasterComponent}) and "No
 * SOL/USD source answered (none reachable: no network access?)" offline, and every Spring context warned about two
 * {@code org.json.JSONObject} classes on the test classpath.
 */
class StartupLogTest {

    /** Spring Boot's console format: time, level, pid, ---. */
    private static final Pattern WARN_OR_ERROR = Pattern.compile("^\\S+\\s+(WARN|ERROR)\\s+\\d+ --- ");

    @Test
    void aNormalStartLogsNoWarningOrError(@TempDir Path work) throws Exception {
        Path log = work.resolve("app.log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx400m",
                "-cp", System.getProperty("java.class.path"), "io.tokendiscovery.TokenDiscoveryApplication");
        Map<String, String> env = builder.environment();
        env.put("PORT", Integer.toString(TestPorts.free()));
        env.put("LIVE_PORT", Integer.toString(TestPorts.free()));
        env.put("TOKENDISCOVERY_EMBEDDED_DATADIR", "");
        env.put("TOKENDISCOVERY_CLUSTER_ROOT", work.resolve("cluster").toString());
        env.put("TOKENDISCOVERY_PRICING_SOLUSDSOURCES_0_NAME", "offline");
        env.put("TOKENDISCOVERY_PRICING_SOLUSDSOURCES_0_URL", "http://sol-price.invalid/sol-price");
        env.put("TOKENDISCOVERY_PRICING_SOLUSDSOURCES_0_POINTER", "/solPrice");
        builder.redirectErrorStream(true).redirectOutput(log.toFile()).directory(new File("."));
        Process app = builder.start();
        try {
            // the leader's consumers run: the feed and the jobs started
            await().atMost(Duration.ofMinutes(3)).until(() -> {
                String out = read(log);
                return out.contains("Consumer started: pumpportal://feed") && out.contains("SOL/USD source reachable");
            });
            // past the 5 s after which camel-master 4.17's start tasks warned
            await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(9)).until(() -> true);
            List<String> lines = read(log).lines().filter(line -> WARN_OR_ERROR.matcher(line).find()).toList();
            assertThat(lines).as("WARN and ERROR lines of a normal start").isEmpty();
        } finally {
            app.destroy();
            if (!app.waitFor(60, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
