package io.tokendiscovery.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.DevTools;
import io.tokendiscovery.RequiredTools;
import io.tokendiscovery.TestPorts;
import io.tokendiscovery.TokenDiscoveryApplication;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.sync.WriteMode;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * The management console as its users meet it (issue 17): in headless Chromium (Debian's chromium, DevTools protocol)
 * the VIEWER logs in to Hawtio, sees the Camel plugin, the routes with their ids, the route diagram with the step ids
 * and the route source with its descriptions, and cannot switch the write mode. The ADMIN switches it from the
 * console's Jolokia (the request Hawtio's Operations tab sends) and a SECOND app instance, sharing the embedded
 * Redis and PostgreSQL like a second replica, follows within seconds. Without Chromium the browser test is skipped
 * locally (fails in CI); the Jolokia rules and the endpoint are checked over plain HTTP as well.
 */
@CamelSpringBootTest
@DisableJmx(false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "tokendiscovery.security.admin-password=admin-secret",
    "tokendiscovery.security.viewer-password=viewer-secret",
    "tokendiscovery.simulator.frames-per-second=0"
})
@ActiveProfiles("test")
@ExtendWith(OutputCaptureExtension.class)
class HawtioConsoleBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final String CAMEL_CONTEXT = "org.apache.camel:context=token-discovery,type=context,name=\"token-discovery\"";

    @LocalServerPort int port;
    @Autowired CamelContext camel;
    @Autowired WriteMode writeMode;
    @Autowired TokenDiscoveryProperties properties;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired MeterRegistry meters;
    @Value("${spring.datasource.url}") String jdbcUrl;
    @Value("${spring.datasource.username}") String jdbcUser;
    @Value("${spring.data.redis.url}") String redisUrl;
    private final ObjectMapper json = new ObjectMapper();
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void backToTheFileDefault() {
        writeMode.switchTo(WriteMode.FILE_DEFAULT, "test cleanup", "test");
    }

    private String switchMBean() throws Exception {
        return WriteModeJmxRegistration.objectName(camel).toString();
    }

    @Test
    void viewerSeesTheRoutesAndCannotSwitchAdminSwitchesEveryReplica(@TempDir Path profile) throws Exception {
        Path chromiumBinary = RequiredTools.require(RequiredTools.find("chromium", CHROMIUM),
                "Chromium is not installed (apt-get install chromium; .ci/run installs it)");
        try (ConfigurableApplicationContext second = secondReplica()) {
            WriteMode secondMode = second.getBean(WriteMode.class);
            assertThat(secondMode.isWriteThrough()).isFalse();

            int devtoolsPort = TestPorts.free();
            Process chromium = new ProcessBuilder(chromiumBinary.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1600,1200",
                    "--user-data-dir=" + profile, "--remote-debugging-port=" + devtoolsPort, "about:blank")
                    .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
            try (DevTools page = DevTools.open(devtoolsPort, json)) {
                logIn(page, "viewer", "viewer-secret");
                page.call("Page.navigate", Map.of("url", base() + "/actuator/hawtio/"));

                // the Camel plugin is there (Hawtio's first request, the RBAC registry's list(), was allowed)
                clickWhenPresent(page, "a", "Routes");
                List<String> routeIds = new ArrayList<>();
                for (Route route : camel.getRoutes()) {
                    if (route.isCustomId()) {
                        routeIds.add(route.getRouteId());
                    }
                }
                assertThat(routeIds).contains("write-mode", "ingest-frame");
                awaitText(page, "the Routes view lists every route id", routeIds.toArray(String[]::new));

                // the route diagram of one route: its steps, by id
                clickWhenPresent(page, "button, span, a", "write-mode");
                clickWhenPresent(page, "a", "Route Diagram");
                RouteDefinition definition = camel.getCamelContextExtension().getContextPlugin(Model.class)
                        .getRouteDefinition("write-mode");
                List<String> stepIds = new ArrayList<>();
                List<String> descriptions = new ArrayList<>();
                descriptions.add(definition.getDescriptionText());
                for (ProcessorDefinition<?> step : definition.getOutputs()) {
                    stepIds.add("(ID: " + step.getId() + ")");
                    if (step.getDescriptionText() != null) {
                        descriptions.add(step.getDescriptionText());
                    }
                }
                awaitText(page, "the route diagram shows the route's steps", stepIds.toArray(String[]::new));

                // the route source, with the descriptions of the route and of its steps
                clickWhenPresent(page, "a", "Source");
                awaitText(page, "the route source shows the descriptions", descriptions.toArray(String[]::new));

                // the viewer cannot switch the write mode: refused by the Jolokia guard, nothing changes
                assertThat(jolokiaFromThePage(page, "write-through")).startsWith("403");
                Thread.sleep(properties.ops().writeModePollInterval().toMillis() * 2);
                assertThat(writeMode.isWriteThrough()).isFalse();
                assertThat(secondMode.isWriteThrough()).isFalse();

                // the admin sees the switch in Hawtio's JMX tree and switches it from the console
                page.call("Network.clearBrowserCookies", Map.of());
                logIn(page, "admin", "admin-secret");
                page.call("Page.navigate", Map.of("url", base() + "/actuator/hawtio/jmx"));
                awaitText(page, "the JMX tree shows the app's MBeans", "io.tokendiscovery");
                long sent = System.nanoTime();
                String reply = jolokiaFromThePage(page, "write-through");
                assertThat(reply).startsWith("200").contains("\"status\":200");
                assertThat(writeMode.isWriteThrough()).as("the replica that took the switch, at once").isTrue();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(secondMode::isWriteThrough);
                System.out.printf("The second replica followed the switch after %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
                @SuppressWarnings("unchecked")
                Map<String, Object> shared = (Map<String, Object>) secondMode.status().get("shared");
                assertThat(shared).containsEntry("mode", "write-through").containsEntry("by", "admin")
                        .containsEntry("via", "jmx");
            } finally {
                chromium.destroy();
                chromium.waitFor(10, TimeUnit.SECONDS);
            }

            // back through the endpoint: both replicas follow
            assertThat(post("/actuator/writemode", "admin", "admin-secret", "{\"mode\":\"write-behind\"}").statusCode())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !secondMode.isWriteThrough());
        }
    }

    @Test
    void theSwitchIsSharedSurvivesARestartAndIsAudited(CapturedOutput output) throws Exception {
        // a fresh install: no shared value, the file default applies
        assertThat(redis.hasKey(keys.writeMode())).isFalse();
        assertThat(writeMode.status()).containsEntry("mode", "write-behind").containsEntry("fileDefault", "write-behind");

        assertThat(post("/actuator/writemode", "viewer", "viewer-secret", "{\"mode\":\"write-through\"}").statusCode())
                .isEqualTo(403);
        assertThat(get("/actuator/writemode", "viewer", "viewer-secret").statusCode()).isEqualTo(403);
        assertThat(post("/actuator/writemode", "admin", "admin-secret", "{\"mode\":\"sideways\"}").statusCode())
                .isEqualTo(400);
        assertThat(writeMode.isWriteThrough()).isFalse();

        double before = switches("write-through");
        HttpResponse<String> switched = post("/actuator/writemode", "admin", "admin-secret", "{\"mode\":\"write-through\"}");
        assertThat(switched.statusCode()).as(switched.body()).isEqualTo(200);
        assertThat(writeMode.isWriteThrough()).isTrue();
        // audited: who and when in the log, the metric, and the list in Redis
        assertThat(output.getOut()).containsPattern("Write mode switch by admin via actuator at \\d{4}-\\d\\d-\\d\\dT");
        assertThat(switches("write-through")).isEqualTo(before + 1);
        JsonNode status = json.readTree(get("/actuator/writemode", "admin", "admin-secret").body());
        assertThat(status.path("shared").path("by").asText()).isEqualTo("admin");
        assertThat(status.path("recentSwitches").get(0).path("mode").asText()).isEqualTo("write-through");

        // a restarted replica (a new WriteMode on the same Redis, as at process start) starts in the shared mode
        assertThat(restartedReplica().isWriteThrough()).isTrue();
        // ...and a live reload of the file (the file default) does not override the ADMIN's choice
        writeMode.refresh("write-behind");
        assertThat(writeMode.isWriteThrough()).isTrue();

        // back to the file default: the shared value is gone, the file decides again
        assertThat(post("/actuator/writemode", "admin", "admin-secret", "{\"mode\":\"default\"}").statusCode())
                .isEqualTo(200);
        assertThat(redis.hasKey(keys.writeMode())).isFalse();
        assertThat(writeMode.isWriteThrough()).isFalse();
        assertThat(restartedReplica().isWriteThrough()).isFalse();
        writeMode.refresh("write-through");
        assertThat(writeMode.isWriteThrough()).as("the file's value applies while no shared value is set").isTrue();
        writeMode.refresh("write-behind");
    }

    @Test
    void viewersRunOnlyTheReadOnlyOperationsHawtioNeeds() throws Exception {
        Map<String, Integer> expected = Map.of(
                exec("hawtio:type=security,name=RBACRegistry", "list()"), 200,
                exec(CAMEL_CONTEXT, "dumpRoutesAsXml()"), 200,
                exec(CAMEL_CONTEXT, "dumpRoutesStatsAsXml(boolean,boolean)", true, true), 200,
                exec("org.apache.camel:context=token-discovery,type=routes,name=\"write-mode\"",
                        "dumpRouteStatsAsXml(boolean,boolean)", true, true), 200,
                exec("java.lang:type=Threading", "dumpAllThreads(boolean,boolean)", false, false), 200,
                exec(CAMEL_CONTEXT, "stop()"), 403,
                exec("org.apache.camel:context=token-discovery,type=routes,name=\"write-mode\"", "stop()"), 403,
                exec(switchMBean(), "switchTo(java.lang.String)", "write-through"), 403,
                exec("org.apache.camel:context=token-discovery,type=*,name=\"write-mode\"", "dumpRouteStatsAsXml()"), 403,
                "{\"type\":\"write\",\"mbean\":\"" + esc(CAMEL_CONTEXT) + "\",\"attribute\":\"Tracing\",\"value\":true}", 403);
        expected.forEach((request, status) -> {
            try {
                HttpResponse<String> response = post("/actuator/jolokia", "viewer", "viewer-secret", request);
                assertThat(response.statusCode()).as(request + " -> " + response.body()).isEqualTo(status);
                if (status == 403) {
                    assertThat(response.body()).as("refused by the guard, not by CSRF").contains("Only an ADMIN");
                } else {
                    assertThat(json.readTree(response.body()).path("status").asInt()).as(response.body()).isEqualTo(200);
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        // the same operation by GET path (Jolokia's ! escaping), and a bulk mixing an allowed and a refused call
        assertThat(get("/actuator/jolokia/exec/hawtio:type=security,name=RBACRegistry/list()", "viewer", "viewer-secret")
                .statusCode()).isEqualTo(200);
        assertThat(get("/actuator/jolokia/exec/" + switchMBean().replace("\"", "%22") + "/switchTo/write-through",
                "viewer", "viewer-secret").statusCode()).isEqualTo(403);
        assertThat(post("/actuator/jolokia", "viewer", "viewer-secret", "[" + exec(CAMEL_CONTEXT, "dumpRoutesAsXml()")
                + "," + exec(switchMBean(), "switchTo(java.lang.String)", "write-through") + "]").statusCode())
                .isEqualTo(403);
        assertThat(writeMode.isWriteThrough()).isFalse();
        // viewers see the mode (attributes are reads)
        JsonNode mode = json.readTree(post("/actuator/jolokia", "viewer", "viewer-secret",
                "{\"type\":\"read\",\"mbean\":\"" + esc(switchMBean()) + "\",\"attribute\":\"Mode\"}").body());
        assertThat(mode.path("value").asText()).isEqualTo("write-behind");
    }

    /** Command-line arguments: they win over application.yaml (server.port: ${PORT:8080}) and the test profile. */
    private ConfigurableApplicationContext secondReplica() {
        return new SpringApplicationBuilder(TokenDiscoveryApplication.class)
                .profiles("test")
                .run("--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=" + jdbcUser,
                        "--spring.datasource.password=", "--spring.data.redis.url=" + redisUrl, "--server.port=0",
                        "--tokendiscovery.simulator.frames-per-second=0", "--tokendiscovery.embedded.data-dir=",
                        // its MBeans would share this JVM's MBeanServer with the first instance's Hawtio
                        "--camel.main.jmx-enabled=false");
    }

    private WriteMode restartedReplica() {
        return new WriteMode(properties, redis, keys, Clock.systemUTC(), new SimpleMeterRegistry());
    }

    private double switches(String mode) {
        var counter = meters.find("tokendiscovery.write.mode.switches").tag("mode", mode).tag("via", "actuator").counter();
        return counter == null ? 0 : counter.count();
    }

    private String base() {
        return "http://localhost:" + port;
    }

    /** Spring Security's login form, as a person fills it in. */
    private void logIn(DevTools page, String user, String password) throws Exception {
        page.call("Page.navigate", Map.of("url", base() + "/login"));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                page.evaluate("String(document.querySelector('input[name=password]') !== null)").equals("true"));
        page.evaluate("document.querySelector('input[name=username]').value = '" + user + "';"
                + "document.querySelector('input[name=password]').value = '" + password + "';"
                + "document.querySelector('form').submit(); 'sent'");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String path = page.evaluate("location.pathname");
            return !path.isEmpty() && !path.startsWith("/login");
        });
    }

    /** Clicks the first element matching {@code selector} whose text is exactly {@code text}, once it exists. */
    private void clickWhenPresent(DevTools page, String selector, String text) throws Exception {
        String script = "(() => { const el = [...document.querySelectorAll('" + selector + "')]"
                + ".find(e => e.textContent.trim() === '" + text + "'); if (!el) return 'missing'; el.click(); return 'clicked'; })()";
        awaitPage(page, "'" + text + "' to click", () -> page.evaluate(script).equals("clicked"));
    }

    private void awaitText(DevTools page, String what, String... texts) throws Exception {
        awaitPage(page, what + " " + List.of(texts), () -> {
            // Hawtio's code editor (Monaco) renders spaces as no-break spaces
            String body = page.evaluate("document.body.innerText").replace('\u00a0', ' ');
            for (String text : texts) {
                if (!body.contains(text)) {
                    return false;
                }
            }
            return true;
        });
    }

    private void awaitPage(DevTools page, String what, Callable<Boolean> condition) throws Exception {
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String body = page.evaluate("location.href + '\\n' + document.body.innerText");
            throw new AssertionError("Timed out waiting for " + what + "; the page shows:\n"
                    + body.substring(0, Math.min(body.length(), 4000)), e);
        }
    }

    /**
     * The Jolokia request Hawtio's Operations tab sends for {@code switchTo}, from the logged-in page (its session
     * cookie and CSRF token).
     */
    private String jolokiaFromThePage(DevTools page, String mode) throws Exception {
        String request = exec(switchMBean(), "switchTo(java.lang.String)", mode);
        return page.evaluateAwaiting("fetch('/actuator/hawtio/jolokia', {method: 'POST', headers: {"
                + "'Content-Type': 'application/json', 'X-XSRF-TOKEN': decodeURIComponent("
                + "(document.cookie.match(/XSRF-TOKEN=([^;]+)/) || [])[1] || '')}, body: " + json.writeValueAsString(request)
                + "}).then(r => r.text().then(t => r.status + ' ' + t))");
    }

    private String exec(String mbean, String operation, Object... arguments) throws Exception {
        return json.writeValueAsString(Map.of("type", "exec", "mbean", mbean, "operation", operation,
                "arguments", List.of(arguments)));
    }

    private static String esc(String mbean) {
        return mbean.replace("\"", "\\\"");
    }

    private HttpResponse<String> get(String path, String user, String password) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", basic(user, password))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST as Hawtio sends it: with the CSRF token of the XSRF-TOKEN cookie (fetched first if missing). */
    private HttpResponse<String> post(String path, String user, String password, String body) throws Exception {
        if (xsrf() == null) {
            get("/actuator/jolokia/version", user, password);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
                .header("Authorization", basic(user, password))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (xsrf() != null) {
            request.header("X-XSRF-TOKEN", xsrf());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String xsrf() {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
                .findFirst().map(HttpCookie::getValue).orElse(null);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
