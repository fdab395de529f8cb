package io.tokendiscovery.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.ingest.ConnectionState;
import io.tokendiscovery.ingest.PumpPortalClient;
import io.tokendiscovery.ingest.SampleFrames;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import io.tokendiscovery.RequiredTools;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.ActiveProfiles;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring artifacts under {@code ops/} agree with the app: promtool accepts the rules and their unit tests,
 * every metric the Grafana dashboard and the rules query is in a real scrape of {@code /actuator/prometheus}, the
 * histograms they take quantiles of have buckets, every alert links a runbook that exists, and the scrape passes
 * {@code promtool check metrics} except for named findings in metrics other libraries own.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "tokendiscovery.simulator.frames-per-second=0")
@ActiveProfiles("test")
class MonitoringArtifactsTest {

    static final Path RULES = Path.of("ops/prometheus/token-discovery-rules.yaml");
    static final Path RULE_TESTS = Path.of("ops/prometheus/token-discovery-rules.test.yaml");
    static final Path DASHBOARD = Path.of("ops/grafana/token-discovery-dashboard.json");
    static final List<Path> RUNBOOKS = List.of(Path.of("docs/operations.md"));

    /** Metric names in PromQL: the families this app exposes; recording rules (with ':') are checked separately. */
    static final Pattern METRIC =
            Pattern.compile("(?<![A-Za-z0-9_:])((?:tokendiscovery|camel|http_server|jvm|process)_[A-Za-z0-9_]+)");
    static final Pattern RECORDED = Pattern.compile("(?<![A-Za-z0-9_:])([a-z_]+:[A-Za-z0-9_:]+)");
    static final Pattern SERIES_SUFFIX = Pattern.compile("_(bucket|count|sum|max)$");

    /**
     * promtool lint findings accepted in metrics this project does not name. Everything else fails, and nothing is
     * ever accepted for tokendiscovery_*.
     */
    static final Map<String, Predicate<String>> THIRD_PARTY_LINT = Map.of(
            // Camel's tags: camelContext, routeId, eventType, endpointName
            "label names should be written in 'snake_case' not 'camelCase'", name -> name.startsWith("camel_"),
            // Camel's app_info and some route meters, Spring's HTTP server and client observations (the client ones
            // come from the test's own TestRestTemplate), Tomcat's sessions
            "no help text", name -> name.equals("app_info") || name.startsWith("camel_")
                    || name.startsWith("http_server_") || name.startsWith("http_client_") || name.startsWith("tomcat_"),
            // Micrometer's JVM and process binders
            "metric names should not contain abbreviated units",
            name -> name.equals("jvm_compilation_time_ms_total") || name.equals("process_cpu_time_ns_total"),
            "non-histogram and non-summary metrics should not have \"_count\" suffix",
            name -> name.equals("system_cpu_count"));

    @Autowired PumpPortalSimulator simulator;
    @Autowired PumpPortalClient client;
    @Autowired MeterRegistry meters;
    @Autowired ProducerTemplate producer;
    @Autowired TestRestTemplate http;

    /** One scrape for the class (the Spring context is shared by its methods). */
    private static String scrape;
    /** Sample name (as exposed, with _total/_bucket/...) -> TYPE of its family. */
    private static final Map<String, String> samples = new TreeMap<>();

    /**
     * Once per class, on first use (Camel starts its routes only before each test method, so not in a static
     * {@code @BeforeAll}): drives what registers meters lazily (frame types, a dead letter, a sync run, an API call),
     * then scrapes.
     */
    private void scrapeAfterTraffic() {
        if (scrape != null) {
            return;
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == ConnectionState.STREAMING);
        simulator.sendRaw(SampleFrames.all());
        simulator.sendRaw("this is not json");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                meters.find("tokendiscovery.ingest.dead.letters").counter() != null
                        && meters.find("tokendiscovery.ingest.frames").tag("type", "migrate").counter() != null);
        producer.requestBody("direct:redis-to-db-sync", (Object) null);
        assertThat(http.getForEntity("/api/tokens/hot?limit=1", String.class).getStatusCode().value()).isEqualTo(200);
        // jvm.gc.pause is registered at this JVM's first collection, which a short test may not have had yet
        System.gc();
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.find("jvm.gc.pause").timer() != null);

        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.ACCEPT, "text/plain;version=0.0.4");
        ResponseEntity<String> response = http.exchange("/actuator/prometheus", HttpMethod.GET,
                new HttpEntity<>(headers), String.class);
        assertThat(response.getStatusCode().value()).isEqualTo(200);
        String body = response.getBody();

        Map<String, String> types = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                types.put(parts[2], parts[3]);
            }
        }
        for (String line : body.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String name = line.split("[{ ]", 2)[0];
                samples.put(name, types.containsKey(name) ? types.get(name) : types.getOrDefault(family(name), ""));
            }
        }
        scrape = body;
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTests() throws Exception {
        Path promtool = promtool();
        Result check = run(List.of(promtool.toString(), "check", "rules", RULES.toString()), null);
        assertThat(check.exitCode()).as("promtool check rules:\n%s", check.output()).isZero();
        Result test = run(List.of(promtool.toString(), "test", "rules", RULE_TESTS.toString()), null);
        assertThat(test.exitCode()).as("promtool test rules:\n%s", test.output()).isZero();
    }

    @Test
    void everyMetricTheDashboardAndTheRulesQueryIsExposed() throws IOException {
        scrapeAfterTraffic();
        Set<String> exposed = samples.keySet().stream().map(MonitoringArtifactsTest::family).collect(Collectors.toSet());
        Map<String, Set<String>> missing = new TreeMap<>();
        queries().forEach((where, expr) -> metricNames(expr).stream()
                .filter(name -> !exposed.contains(family(name)))
                .forEach(name -> missing.computeIfAbsent(name, n -> new LinkedHashSet<>()).add(where)));
        assertThat(missing)
                .as("metrics queried by ops/ but absent from /actuator/prometheus (name -> where it is used):%n%s",
                        format(missing))
                .isEmpty();
    }

    @Test
    void everyHistogramTheQueriesTakeQuantilesOfHasBuckets() throws IOException {
        scrapeAfterTraffic();
        Map<String, Set<String>> notHistograms = new TreeMap<>();
        queries().forEach((where, expr) -> metricNames(expr).stream()
                .filter(name -> name.endsWith("_bucket") && !samples.containsKey(name))
                // absent altogether: reported by everyMetricTheDashboardAndTheRulesQueryIsExposed
                .filter(name -> samples.keySet().stream().anyMatch(s -> family(s).equals(family(name))))
                .forEach(name -> notHistograms.computeIfAbsent(
                        family(name) + " (exposed as " + typeOf(family(name)) + ")", n -> new LinkedHashSet<>())
                        .add(where)));
        assertThat(notHistograms)
                .as("histogram_quantile over meters exposed without _bucket series (turn on their percentile "
                        + "histogram):%n%s", format(notHistograms))
                .isEmpty();
    }

    @Test
    void alertsUseRecordingRulesThatExist() throws IOException {
        List<Map<String, Object>> rules = rules();
        Set<String> recorded = rules.stream().filter(r -> r.containsKey("record"))
                .map(r -> (String) r.get("record")).collect(Collectors.toSet());
        for (Map<String, Object> rule : rules) {
            Matcher m = RECORDED.matcher(String.valueOf(rule.get("expr")));
            while (m.find()) {
                assertThat(recorded).as("recording rule %s used by %s", m.group(1), name(rule)).contains(m.group(1));
            }
        }
    }

    @Test
    void everyAlertHasASeveritySummaryDescriptionAndARunbookThatExists() throws IOException {
        Set<String> anchors = new TreeSet<>();
        for (Path doc : RUNBOOKS) {
            if (Files.exists(doc)) {
                Matcher heading = Pattern.compile("^#{1,6} (.+)$", Pattern.MULTILINE).matcher(Files.readString(doc));
                while (heading.find()) {
                    anchors.add(doc + "#" + slug(heading.group(1)));
                }
            }
        }
        List<Map<String, Object>> alerts = rules().stream().filter(r -> r.containsKey("alert")).toList();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(11);
        for (Map<String, Object> alert : alerts) {
            @SuppressWarnings("unchecked") Map<String, String> labels = (Map<String, String>) alert.get("labels");
            @SuppressWarnings("unchecked") Map<String, String> annotations =
                    (Map<String, String>) alert.get("annotations");
            assertThat(labels.get("severity")).as("severity of %s", name(alert)).isIn("critical", "warning", "info");
            assertThat(annotations).as("annotations of %s", name(alert))
                    .containsKeys("summary", "description", "runbook_url");
            String runbook = annotations.get("runbook_url");
            assertThat(runbook).as("runbook of %s", name(alert))
                    .isEqualTo("docs/operations.md#" + name(alert).toLowerCase(Locale.ROOT));
            String anchor = runbook.substring(runbook.indexOf('#'));
            assertThat(anchors).as("a heading %s in %s for %s", anchor, RUNBOOKS, name(alert))
                    .anyMatch(a -> a.endsWith(anchor));
        }
    }

    @Test
    void theScrapePassesPromtoolsLintExceptNamedThirdPartyFindings() throws Exception {
        Path promtool = promtool();
        scrapeAfterTraffic();
        Result lint = run(List.of(promtool.toString(), "check", "metrics"), scrape);
        assertThat(lint.exitCode()).as("promtool check metrics could not parse the scrape:\n%s", lint.output())
                .isIn(0, 3);
        List<String> findings = new ArrayList<>();
        for (String line : lint.output().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split(" ", 2);
            Predicate<String> accepted = parts.length == 2 ? THIRD_PARTY_LINT.get(parts[1]) : null;
            if (accepted == null || parts[0].startsWith("tokendiscovery_") || !accepted.test(parts[0])) {
                findings.add(line);
            }
        }
        assertThat(findings).as("promtool check metrics findings in /actuator/prometheus").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Where -> PromQL, for every dashboard target and variable query and every rule. */
    private Map<String, String> queries() throws IOException {
        Map<String, String> queries = new LinkedHashMap<>();
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("panels").size()).as("dashboard panels").isGreaterThan(20);
        for (JsonNode panel : dashboard.path("panels")) {
            int i = 0;
            for (JsonNode target : panel.path("targets")) {
                queries.put("dashboard: " + panel.path("title").asText() + " #" + (++i), target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                queries.put("dashboard variable: " + variable.path("name").asText(), variable.path("definition").asText());
            }
        }
        for (Map<String, Object> rule : rules()) {
            queries.merge("rule: " + name(rule), String.valueOf(rule.get("expr")), (a, b) -> a + "\n" + b);
        }
        assertThat(queries.values()).allSatisfy(expr -> assertThat(expr).isNotBlank());
        return queries;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(RULES));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return rules;
    }

    private static String name(Map<String, Object> rule) {
        return String.valueOf(rule.containsKey("alert") ? rule.get("alert") : rule.get("record"));
    }

    private static Set<String> metricNames(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** A sample name without the series suffix of histograms, summaries and Micrometer's _max gauges. */
    private static String family(String sample) {
        return SERIES_SUFFIX.matcher(sample).replaceFirst("");
    }

    private String typeOf(String family) {
        return samples.entrySet().stream().filter(e -> family(e.getKey()).equals(family)).map(Map.Entry::getValue)
                .filter(t -> !t.equals("gauge")).findFirst().orElse("gauge");
    }

    private static String format(Map<String, Set<String>> problems) {
        return problems.entrySet().stream().map(e -> "  " + e.getKey() + " <- " + String.join("; ", e.getValue()))
                .collect(Collectors.joining("\n"));
    }

    /** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
    static String slug(String heading) {
        return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }

    /** /usr/bin/promtool (Debian's prometheus package) or the first one on the PATH; skips locally, fails in CI. */
    private static Path promtool() {
        return RequiredTools.require(RequiredTools.find("promtool", Path.of("/usr/bin/promtool")),
                "promtool is not installed (Debian package prometheus; .ci/run installs it)");
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command, String stdin) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // written from another thread, so a chatty process cannot block on a full output pipe meanwhile
        CompletableFuture<Void> input = CompletableFuture.runAsync(() -> {
            try (var out = process.getOutputStream()) {
                if (stdin != null) {
                    out.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        input.get(10, TimeUnit.SECONDS);
        return new Result(process.exitValue(), output);
    }
}
