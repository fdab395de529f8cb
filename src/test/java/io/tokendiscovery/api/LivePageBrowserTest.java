package io.tokendiscovery.api;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.DevTools;
import io.tokendiscovery.RequiredTools;
import io.tokendiscovery.TestPorts;
import io.tokendiscovery.ingest.ConnectionState;
import io.tokendiscovery.ingest.PumpPortalClient;
import io.tokendiscovery.ingest.TestFrames;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The page at / in headless Chromium (Debian's chromium, driven over the DevTools protocol): a simulated trade's
 * price appears in the page (within 10 s), and the frame-to-page latency is measured and printed (the plan's target:
 * under 5 s).
 * Skipped where no Chromium is installed; .ci/run installs it.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.live.hot-feed-interval=300ms"
})
@ActiveProfiles("test")
class LivePageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final int LIVE_PORT = TestPorts.free();

    @DynamicPropertySource
    static void livePort(DynamicPropertyRegistry registry) {
        registry.add("tokendiscovery.live.port", () -> LIVE_PORT);
    }

    @LocalServerPort int httpPort;
    @Autowired PumpPortalSimulator simulator;
    @Autowired PumpPortalClient client;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aSimulatedTradesPriceAppearsOnThePage(@TempDir Path profile) throws Exception {
        Path chromiumBinary = RequiredTools.require(RequiredTools.find("chromium", CHROMIUM),
                "Chromium is not installed (apt-get install chromium; .ci/run installs it)");
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == ConnectionState.STREAMING);
        String mint = TestFrames.key32(1, 777);
        simulator.sendRaw(TestFrames.trade(mint, TestFrames.signature(1, 777), true, 5, 1000, 40, 30 * 1_073_000_000d / 40));

        int devtoolsPort = TestPorts.free();
        Process chromium = new ProcessBuilder(chromiumBinary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-port=" + devtoolsPort, "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try (DevTools page = DevTools.open(devtoolsPort, json)) {
            page.call("Page.navigate", Map.of("url", "http://localhost:" + httpPort + "/?wsPort=" + LIVE_PORT));
            String cell = "document.querySelector('tr[data-mint=\"" + mint + "\"] .price-sol')?.textContent ?? ''";
            await().atMost(Duration.ofSeconds(30)).until(() -> !page.evaluate(cell).isEmpty());

            double vSol = 61.25;
            double expected = vSol / (30 * 1_073_000_000d / vSol);
            long sent = System.nanoTime();
            simulator.sendRaw(TestFrames.trade(mint, TestFrames.signature(2, 777), true, 5, 1000, vSol,
                    30 * 1_073_000_000d / vSol));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        String text = page.evaluate(cell);
                        return !text.isEmpty() && Double.parseDouble(text) == expected;
                    });
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            // reported, not asserted: speed targets belong to benchmarks (docs/api.md quotes the measured figure)
            System.out.printf("Frame-to-page latency in headless Chromium: %d ms (target: under 5000 ms)%n", latencyMs);
        } finally {
            chromium.destroy();
            chromium.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
