package io.tokendiscovery.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.DevTools;
import io.tokendiscovery.RequiredTools;
import io.tokendiscovery.TestPorts;
import io.tokendiscovery.ingest.ConnectionState;
import io.tokendiscovery.ingest.PumpPortalClient;
import io.tokendiscovery.ingest.TestFrames;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The live page at / in headless Chromium (Debian's chromium, driven over the DevTools protocol), on the feed leader
 * AND on a standby replica (a second app process sharing this context's embedded Redis and PostgreSQL and its file
 * cluster lock, so it never leads):
 * <ul>
 *   <li>prices in the screeners' subscript-zero notation (the two raw values, and a simulated trade's price
 *       in SOL and USD), market cap in USD, age, bonding-curve progress, 5-minute change, a sparkline per row, the
 *       hot, new and graduating feeds side by side;</li>
 *   <li>a click opens the token view: price chart and latest trades; a new trade's tick updates the row (its
 *       receive sequence, exact price) and the token view (price, one more trade);</li>
 *   <li>frame-to-page latency (simulator frame sent -> formatted price of that tick in the row) measured on the leader
 *       and on the standby, printed, not asserted (docs/api.md quotes the figures; the plan's target: under 5 s).</li>
 * </ul>
 * Skipped locally where no Chromium is installed; fails in CI (.ci/run installs it).
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "tokendiscovery.simulator.frames-per-second=0"
})
@ActiveProfiles("test")
class LivePageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final int LIVE_PORT = TestPorts.free();
    /** A loaded 2-core machine: waits are generous, nothing here asserts a speed. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    @DynamicPropertySource
    static void livePort(DynamicPropertyRegistry registry) {
        registry.add("tokendiscovery.live.port", () -> LIVE_PORT);
    }

    @LocalServerPort int httpPort;
    @Autowired PumpPortalSimulator simulator;
    @Autowired PumpPortalClient client;
    @Autowired Environment environment;
    @Autowired CamelContext camel;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theLivePageOnTheLeaderAndOnAStandby(@TempDir Path profile) throws Exception {
        Path chromiumBinary = RequiredTools.require(RequiredTools.find("chromium", CHROMIUM),
                "Chromium is not installed (apt-get install chromium; .ci/run installs it)");
        await().atMost(PATIENCE).until(() -> client.state() == ConnectionState.STREAMING);
        // the standby starts while the leader's page is tested
        Standby standby = Standby.launch(environment, camel, simulator, profile);
        String mint = TestFrames.key32(1, 777);
        simulator.sendRaw(create(mint, TestFrames.signature(1, 777)));
        simulator.sendRaw(TestFrames.trade(mint, TestFrames.signature(2, 777), true, 5, 1000, 35, 30 * 1_073_000_000d / 35));
        simulator.sendRaw(TestFrames.trade(mint, TestFrames.signature(5, 777), true, 5, 1000, 40, 30 * 1_073_000_000d / 40));

        int devtoolsPort = TestPorts.free();
        Process chromium = new ProcessBuilder(chromiumBinary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1600,900", "--user-data-dir=" + profile,
                "--remote-debugging-port=" + devtoolsPort, "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try (DevTools page = DevTools.open(devtoolsPort, json)) {
            // ---- the leader ----
            page.call("Page.navigate", Map.of("url", "http://localhost:" + httpPort + "/?wsPort=" + LIVE_PORT));
            String row = "document.querySelector('#hot tr[data-mint=\"" + mint + "\"]')";
            await().atMost(PATIENCE).until(() -> page.evaluate(row + "?.querySelector('.price-sol')?.textContent ?? ''")
                    .equals("0.0\u2087497"));

            // the raw prices, as screeners write them
            assertThat(page.evaluate("fmtPrice(1.0249520376813863e-7)")).isEqualTo("0.0\u20861025");
            assertThat(page.evaluate("fmtPrice(0.000015374280565220794)")).isEqualTo("0.0\u20841537");
            assertThat(page.evaluate("fmtPrice(0.00123) + ' ' + fmtPrice(1234.5) + ' ' + fmtUsd(8420.87) + ' '"
                    + " + fmtUsd(1.5e6) + ' ' + fmtAge(Date.now() - 200000) + ' ' + fmtChange(-3.21)"))
                    .isEqualTo("0.00123 1,235 $8.42K $1.5M 3m -3.2%");
            // the three feeds side by side; the token is in each (created, traded, on the curve)
            assertThat(page.evaluate("[...document.querySelectorAll('#feeds section.feed h2')].map(h => h.textContent).join()"))
                    .isEqualTo("Hot,New,Graduating");
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.evaluate(
                    "['new','graduating'].map(f => !!document.querySelector('#' + f + ' tr[data-mint=\"" + mint + "\"]')).join()"))
                    .isEqualTo("true,true"));
            assertThat(page.evaluate(row + ".querySelector('.price-usd').textContent")).isEqualTo("$0.0\u20857456");
            assertThat(page.evaluate(row + ".querySelector('.mcap').textContent")).isEqualTo("$7.46K");
            assertThat(page.evaluate(row + ".querySelector('.pct').textContent")).isEqualTo("33%");
            assertThat(page.evaluate(row + ".querySelector('.age').textContent")).matches("\\d+[sm]");
            assertThat(page.evaluate(row + ".querySelector('.tok b').textContent")).isEqualTo("BRWS");
            // the sparkline and the 5-minute change come from the recent trades: (40 / 35)^2 - 1 = +30.6 %
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.evaluate(
                    row + ".querySelectorAll('.sparkline svg polyline').length + ' ' + " + row + ".querySelector('.change').textContent"))
                    .isEqualTo("1 +31%"));

            // the token view
            page.evaluate(row + ".click()");
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.evaluate(
                    "[document.getElementById('token').hidden, document.getElementById('token-price-sol').textContent,"
                    + " document.querySelectorAll('#token-chart svg path.line').length,"
                    + " document.querySelectorAll('#token-trades tr').length > 0].join()"))
                    .isEqualTo("false,0.0\u2087497,1,true"));
            int tradesBefore = Integer.parseInt(page.evaluate("document.querySelectorAll('#token-trades tr').length"));
            long seqBefore = Long.parseLong(page.evaluate(row + ".dataset.seq"));
            await().atMost(PATIENCE).until(() -> page.evaluate("window.liveStats.hot").equals("true"));

            double vSol = 61.25;
            double expected = vSol / (30 * 1_073_000_000d / vSol);
            long sent = System.nanoTime();
            simulator.sendRaw(TestFrames.trade(mint, TestFrames.signature(3, 777), true, 5, 1000, vSol,
                    30 * 1_073_000_000d / vSol));
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5))
                    .until(() -> page.evaluate(row + "?.querySelector('.price-sol')?.textContent ?? ''").equals("0.0\u20861165"));
            long leaderMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            // the tick did it (its receive sequence), with the exact price, and the USD figures follow it
            assertThat(Long.parseLong(page.evaluate(row + ".dataset.seq"))).isGreaterThan(seqBefore);
            assertThat(Double.parseDouble(page.evaluate(row + ".dataset.priceSol"))).isEqualTo(expected);
            assertThat(page.evaluate(row + ".querySelector('.price-usd').textContent")).isEqualTo("$0.0\u20841748");
            assertThat(page.evaluate(row + ".querySelector('.mcap').textContent")).isEqualTo("$17.5K");
            assertThat(page.evaluate(row + ".querySelector('.pct').textContent")).isEqualTo("69%");
            // ... and the token view: its price, and the new trade on top of the latest trades
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.evaluate(
                    "document.getElementById('token-price-sol').textContent + ' ' + document.querySelectorAll('#token-trades tr').length"
                    + " + ' ' + document.querySelector('#token-trades tr td:nth-child(4)').textContent"))
                    .isEqualTo("0.0\u20861165 " + (tradesBefore + 1) + " 0.0\u20861165"));

            screenshot(page, "live-page-leader.png");

            // ---- the standby: same page, its own host and live port; ticks come through Redis pub/sub ----
            standby.awaitUpAsStandby(http);
            page.call("Page.navigate", Map.of("url", "http://localhost:" + standby.port + "/?wsPort=" + standby.livePort));
            await().atMost(PATIENCE).until(() -> page.evaluate(row + "?.querySelector('.price-sol')?.textContent ?? ''")
                    .equals("0.0\u20861165"));
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(page.evaluate(
                    "['new','graduating'].map(f => !!document.querySelector('#' + f + ' tr[data-mint=\"" + mint + "\"]')).join()"))
                    .isEqualTo("true,true"));
            await().atMost(PATIENCE).until(() -> page.evaluate("window.liveStats.hot").equals("true"));
            long standbySeqBefore = Long.parseLong(page.evaluate(row + ".dataset.seq"));
            vSol = 70;
            sent = System.nanoTime();
            simulator.sendRaw(TestFrames.trade(mint, TestFrames.signature(4, 777), true, 5, 1000, vSol,
                    30 * 1_073_000_000d / vSol));
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5))
                    .until(() -> page.evaluate(row + "?.querySelector('.price-sol')?.textContent ?? ''").equals("0.0\u20861522"));
            long standbyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertThat(Long.parseLong(page.evaluate(row + ".dataset.seq"))).isGreaterThan(standbySeqBefore);
            assertThat(page.evaluate(row + ".querySelector('.price-usd').textContent")).isEqualTo("$0.0\u20842283");
            assertThat(standby.leaderGauge(http)).as("the standby never led").isEqualTo(0.0);
            screenshot(page, "live-page-standby.png");

            // reported, not asserted: speed targets belong to benchmarks (docs/api.md quotes the measured figures)
            System.out.printf("Frame-to-page latency in headless Chromium: leader %d ms, standby %d ms (target: under 5000 ms)%n",
                    leaderMs, standbyMs);
        } finally {
            chromium.destroy();
            chromium.waitFor(10, TimeUnit.SECONDS);
            standby.stop();
        }
    }

    /** A look for people (target/live-page-*.png), not a check. */
    static void screenshot(DevTools page, String name) throws Exception {
        JsonNode shot = page.call("Page.captureScreenshot", Map.of("format", "png"));
        Files.write(Path.of("target", name), java.util.Base64.getDecoder().decode(shot.path("result").path("data").asText()));
    }

    /** A pump create: 2 SOL initial buy, name "Browser", symbol "BRWS". */
    static String create(String mint, String signature) {
        return String.format(Locale.ROOT,
                "{\"signature\":\"%s\",\"mint\":\"%s\",\"traderPublicKey\":\"%s\",\"txType\":\"create\","
                        + "\"initialBuy\":70000000,\"solAmount\":2,\"bondingCurveKey\":\"%s\","
                        + "\"vTokensInBondingCurve\":1003000000,\"vSolInBondingCurve\":32.09,"
                        + "\"marketCapSol\":31.99,\"name\":\"Browser\",\"symbol\":\"BRWS\",\"uri\":\"https://example.org/b.json\","
                        + "\"is_mayhem_mode\":false,\"pool\":\"pump\"}",
                signature, mint, TestFrames.key32(7, 7), TestFrames.key32(9, 9));
    }

    /**
     * A second app process on this context's Redis, PostgreSQL and cluster lock folder: this context holds the lock,
     * so the process is a standby that only serves reads and live push (as in LiveFanOutReplicasTest).
     */
    static final class Standby {
        final Process process;
        final int port;
        final int livePort;

        static Standby launch(Environment environment, CamelContext camel, PumpPortalSimulator simulator, Path work)
                throws Exception {
            FileLockClusterService cluster = camel.hasService(FileLockClusterService.class);
            assertThat(cluster).as("the file cluster service").isNotNull();
            int port = TestPorts.free();
            int livePort = TestPorts.free();
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx300m",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    "io.tokendiscovery.TokenDiscoveryApplication");
            Map<String, String> env = builder.environment();
            env.put("PORT", Integer.toString(port));
            env.put("LIVE_PORT", Integer.toString(livePort));
            env.put("SPRING_DATA_REDIS_URL", environment.getRequiredProperty("spring.data.redis.url"));
            env.put("SPRING_DATASOURCE_URL", environment.getRequiredProperty("spring.datasource.url"));
            env.put("SPRING_DATASOURCE_USERNAME", environment.getRequiredProperty("spring.datasource.username"));
            env.put("PUMPPORTAL_URL", simulator.url());
            env.put("PUMPPORTAL_API_KEY", "simulator-dev-key");
            env.put("TOKENDISCOVERY_CLUSTER_ROOT", Path.of(cluster.getRoot()).toAbsolutePath().toString());
            env.put("TOKENDISCOVERY_SYNC_INITIALDELAY", "1h");
            env.put("TOKENDISCOVERY_EMBEDDED_DATADIR", "");
            env.put("TOKENDISCOVERY_PRICING_SOLUSDSOURCES", "");
            env.put("CAMEL_MAIN_ROUTESRELOADENABLED", "false");
            Path log = work.resolve("standby.log");
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            builder.directory(new File("."));
            return new Standby(builder.start(), port, livePort, log);
        }

        final Path log;

        private Standby(Process process, int port, int livePort, Path log) {
            this.process = process;
            this.port = port;
            this.livePort = livePort;
            this.log = log;
            // not left running when the test JVM is stopped (SIGTERM) before the finally block
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        }

        /** Up and not the leader; on failure the end of its log says why. */
        void awaitUpAsStandby(HttpClient http) throws Exception {
            try {
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    assertThat(process.isAlive()).as("standby process alive").isTrue();
                    assertThat(leaderGauge(http)).isEqualTo(0.0);
                });
            } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
                List<String> lines = Files.readAllLines(log);
                throw new AssertionError("standby not up as a standby; end of " + log + ":\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())), e);
            }
        }

        Double leaderGauge(HttpClient http) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/actuator/prometheus"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                Matcher m = Pattern.compile("(?m)^tokendiscovery_cluster_leader\\{[^}]*} (\\S+)$").matcher(response.body());
                return m.find() ? Double.parseDouble(m.group(1)) : null;
            } catch (Exception notUp) {
                return null;
            }
        }

        void stop() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
