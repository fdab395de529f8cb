package io.tokendiscovery.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A normal zero-setup start (default profile: embedded Redis and PostgreSQL, the simulator as the feed, every job
 * scheduled, this replica the leader) logs no WARN or ERROR line: a warning at start must mean that something is
 * wrong. Nothing is allow-listed. The only differences from {@code ./mvnw spring-boot:run} keep it beside other
 * runs: free ports, throw-away data and cluster folders, and SOL/USD sources that never resolve (RFC 6761
 * {@code .invalid}), i.e. the offline machine, deterministic with or without internet access.
 *
 * <p>The output is captured from before the context starts (OutputCaptureExtension begins before the Spring test
 * context is built; these properties are unique to this class, so the context is never one cached by another test).
 * It waits past the first SOL/USD refresh (1 s after start) and the master: consumers' start tasks (5 s after the
 * leadership is taken).
 *
 * <p>Fails on the code before issue 17: its zero-setup start logged ten "The task Leadership does not have more
 * budget to continue running" (one per master: route, camel-master 4.17, see {@link FeedMasterComponent}) and "No
 * SOL/USD source answered (none reachable: no network access?)" offline, and every Spring test context warned
 * about two {@code org.json.JSONObject} classes on the test classpath.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "tokendiscovery.embedded.data-dir=",
    "tokendiscovery.live.port=0",
    "camel.cluster.file.root=${java.io.tmpdir}/token-discovery-startup-test/${random.uuid}",
    "camel.cluster.file.acquire-lock-delay=10",
    "tokendiscovery.pricing.sol-usd-sources[0].name=offline",
    "tokendiscovery.pricing.sol-usd-sources[0].url=http://sol-price.invalid/sol-price",
    "tokendiscovery.pricing.sol-usd-sources[0].pointer=/solPrice"
})
@ExtendWith(OutputCaptureExtension.class)
class StartupLogTest {

    /** Spring Boot's console format: time, level, pid, ---. */
    private static final Pattern WARN_OR_ERROR = Pattern.compile("^\\S+\\s+(WARN|ERROR)\\s+\\d+ --- ");

    @Autowired CamelContext camel;

    @Test
    void aNormalStartLogsNoWarningOrError(CapturedOutput output) {
        assertThat(camel.getStatus().isStarted()).isTrue();
        // the leader's consumers run: the feed and the jobs started
        await().atMost(Duration.ofSeconds(30)).until(() -> output.getOut().contains("Consumer started: pumpportal://feed")
                && output.getOut().contains("SOL/USD source reachable"));
        // past the 5 s after which camel-master 4.17's start tasks warned
        await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(9)).until(() -> true);
        List<String> lines = output.getAll().lines().filter(line -> WARN_OR_ERROR.matcher(line).find()).toList();
        assertThat(lines).as("WARN and ERROR lines of a normal start").isEmpty();
    }
}
