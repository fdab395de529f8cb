package io.tokendiscovery.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.RequiredTools;
import io.tokendiscovery.TestPorts;
import io.tokendiscovery.devservices.EmbeddedRedis;
import io.tokendiscovery.simulator.PumpPortalSimulator;
import io.tokendiscovery.simulator.SimulatorProperties;
import io.vertx.core.Vertx;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules in a real Prometheus (Debian's {@code prometheus}; skipped locally when absent, a failure in CI),
 * scraping two real app processes that share Redis, PostgreSQL, a fake PumpPortal and the file leader election, as
 * {@link FeedFailoverTest} does. Prometheus loads {@code ops/prometheus/token-discovery-rules.yaml} with only the
 * {@code for:} durations shortened (divided by 12, in a copy), scrape and evaluation every 2 s.
 *
 * <p>In order: no alert is ever pending or firing through a healthy start, a leader failover (SIGTERM of the leader)
 * and the restart of that app; then each failure fires its alert within the time docs/operations.md#time-to-alert
 * gives, computed with this test's settings: sync failing (the token table locked), PostgreSQL down (meanwhile both
 * replicas stay ready and {@code /api/tokens/hot} answers 200, a cold token page answers 503 problem JSON), the feed
 * down (the fake PumpPortal stopped), Redis down (the scrape keeps working).
 *
 * <p>Before issue 15 the healthy start alone failed: {@code TokenDiscoveryCheckpointStorm} went pending at the first
 * poll of the checkpoint monitor (the counters jumped to the fresh server's lifetime totals), and readiness went DOWN
 * with PostgreSQL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusAlertsTest {

    static final Duration SCRAPE = Duration.ofSeconds(2);
    static final Duration EVALUATION = Duration.ofSeconds(2);
    /** The apps' settings that the alert times depend on (docs/operations.md#time-to-alert). */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    static final Duration POOL_WAIT = Duration.ofSeconds(2);
    static final Duration REDIS_TIMEOUT = Duration.ofSeconds(2);
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(2);
    static final Duration SYNC_INTERVAL = Duration.ofSeconds(5);
    static final int SYNC_RETRIES = 1;
    static final Duration SYNC_RETRY_DELAY = Duration.ofMillis(500);
    /** The expression's own threshold of TokenDiscoveryFeedDisconnected. */
    static final Duration FEED_DOWN_THRESHOLD = Duration.ofSeconds(30);
    /** Scheduling on a loaded 2-core machine: JVM pauses, a late scrape. Not part of the documented bound. */
    static final Duration SLACK = Duration.ofSeconds(15);

    static final String JOB = "token-discovery";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    static Path work;
    static EmbeddedRedis redis;
    static boolean redisStopped;
    static RestartablePostgres postgres;
    static Vertx vertx;
    static PumpPortalSimulator pumpPortal;
    static Path cluster;
    static final App[] apps = new App[2];
    static Process prometheus;
    static int prometheusPort;
    /** Alert name -> shortened `for:` of the test's copy. */
    static final Map<String, Duration> shortenedFor = new java.util.TreeMap<>();
    static long startNanos;
    static AlertSampler sampler;

    record App(int index, int port, int livePort, Process process) {}

    record Seen(Duration at, String alert, String state) {}

    @BeforeAll
    static void startEverything() throws Exception {
        Path binary = RequiredTools.require(RequiredTools.find("prometheus", Path.of("/usr/bin/prometheus")),
                "prometheus is not installed (Debian package prometheus; .ci/run installs it)");
        startNanos = System.nanoTime();
        work = Files.createDirectories(Path.of("target/prometheus-alerts-test"));
        redis = EmbeddedRedis.start(Files.createTempDirectory(work, "redis"));
        postgres = new RestartablePostgres(Files.createTempDirectory(work, "postgres"),
                Files.createDirectories(work.resolve("postgres-bin")));
        postgres.start();
        vertx = Vertx.vertx();
        SimulatorProperties simulated = new SimulatorProperties();
        simulated.setFramesPerSecond(30);
        simulated.setSeed(15L);
        simulated.setMaxActiveMints(40);
        pumpPortal = new PumpPortalSimulator(simulated, vertx);
        pumpPortal.start();
        cluster = Files.createTempDirectory(work, "cluster");
        for (int i = 0; i < apps.length; i++) {
            apps[i] = launch(i, TestPorts.free(), TestPorts.free());
        }
        prometheus = startPrometheus(binary);
        sampler = new AlertSampler();
        sampler.start();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (sampler != null) {
            sampler.interrupt();
            sampler.join(5000);
        }
        for (App app : apps) {
            if (app != null) {
                app.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (pumpPortal != null && pumpPortal.isRunning()) {
            pumpPortal.stop();
        }
        if (vertx != null) {
            vertx.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (redis != null && !redisStopped) {
            redis.close();
        }
    }

    // --- 1. nothing pending or firing through a start, a failover and a restart -----------------------------------

    @Test
    @Order(1)
    void noAlertThroughAHealthyStartALeaderFailoverAndARestart() throws Exception {
        awaitAllReady(Duration.ofMinutes(4));
        App leader = awaitOneLeader(Duration.ofSeconds(60));
        awaitUntil("both replicas' probes and a successful sync scraped", Duration.ofSeconds(60), () ->
                query("count(tokendiscovery_dependency_up == 1)") == 4
                        && query("min(tokendiscovery_sync_last_success_age_seconds)") < 30);
        sleep(Duration.ofSeconds(15));
        mark("healthy start observed");

        // failover: the leader is stopped gracefully (a rolling update); the other replica takes the feed
        leader.process().destroy();
        assertThat(leader.process().waitFor(90, TimeUnit.SECONDS)).as("app %d stopped", leader.index()).isTrue();
        App next = awaitOneLeader(Duration.ofSeconds(45));
        assertThat(next.index()).isNotEqualTo(leader.index());
        mark("failover to app " + next.index());
        // restart: the stopped app comes back on the same port (same Prometheus target) as a standby
        apps[leader.index()] = launch(leader.index(), leader.port(), leader.livePort());
        awaitAllReady(Duration.ofMinutes(3));
        awaitOneLeader(Duration.ofSeconds(30));
        awaitUntil("the restarted replica scraped with its probes", Duration.ofSeconds(30), () ->
                query("count(tokendiscovery_dependency_up == 1)") == 4);
        mark("restart of app " + leader.index());
        sleep(Duration.ofSeconds(20));

        List<Seen> seen = sampler.seen();
        assertThat(seen).as("alerts pending or firing through the healthy start, the failover and the restart")
                .isEmpty();
        assertThat(sampler.samples()).as("alert samples taken").isGreaterThan(30);
        // every rule evaluates without error (a typo in a metric name would not show here, MonitoringArtifactsTest)
        JsonNode groups = prometheusGet("/api/v1/rules").path("data").path("groups");
        int rules = 0;
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("health").asText()).as("rule %s: %s", rule.path("name").asText(),
                        rule.path("lastError").asText()).isEqualTo("ok");
                rules++;
            }
        }
        assertThat(rules).as("rules loaded").isGreaterThanOrEqualTo(17);
    }

    // --- 2. each failure fires its alert in time --------------------------------------------------------------------

    @Test
    @Order(2)
    void aFailingSyncFiresSyncFailing() throws Exception {
        // the database is up, but the token table is locked: every sync run waits lock-timeout per attempt and fails
        Duration run = LOCK_TIMEOUT.multipliedBy(SYNC_RETRIES + 1).plus(SYNC_RETRY_DELAY).plusSeconds(2);
        Duration bound = SYNC_INTERVAL.plus(run).plus(SCRAPE).plus(EVALUATION);
        try (Connection db = DriverManager.getConnection(postgres.jdbcUrl())) {
            db.setAutoCommit(false);
            try (Statement lock = db.createStatement()) {
                lock.execute("LOCK TABLE token_discovery IN ACCESS EXCLUSIVE MODE");
            }
            long since = System.nanoTime();
            Duration took = awaitFiring("TokenDiscoverySyncFailing", since, bound.plus(SLACK));
            report("sync failing (table locked)", "TokenDiscoverySyncFailing", took, bound);
            assertThat(alertNames(activeAlerts())).as("only the sync alert").doesNotContain(
                    "TokenDiscoveryDatabaseDown", "TokenDiscoveryRedisDown", "TokenDiscoveryFeedDisconnected");
            db.rollback();
        }
    }

    @Test
    @Order(3)
    void postgresDownFiresDatabaseDownWhileEveryReplicaStaysReadyAndServes() throws Exception {
        String warm = coldToken(1);
        String cold = coldToken(2);
        assertThat(get(apps[0], "/api/tokens/" + warm).statusCode()).as("a cold token from PostgreSQL").isEqualTo(200);

        Duration bound = PROBE_INTERVAL.plus(POOL_WAIT).plus(SCRAPE).plus(EVALUATION)
                .plus(shortenedFor.get("TokenDiscoveryDatabaseDown"));
        postgres.stop();
        long since = System.nanoTime();
        int checks = 0;
        Duration took = null;
        long deadline = since + bound.plus(SLACK).plusSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (App app : apps) {
                HttpResponse<String> readiness = get(app, "/actuator/health/readiness");
                assertThat(readiness.statusCode()).as("readiness of app %d with PostgreSQL down: %s", app.index(),
                        readiness.body()).isEqualTo(200);
                assertThat(get(app, "/api/tokens/hot").statusCode()).as("hot feed of app %d", app.index())
                        .isEqualTo(200);
                checks++;
            }
            if (took == null && firing("TokenDiscoveryDatabaseDown")) {
                took = elapsed(since);
                // keep checking readiness and the API for 10 s more, then stop
                deadline = Math.min(deadline, System.nanoTime() + Duration.ofSeconds(10).toNanos());
            }
            sleep(Duration.ofMillis(500));
        }
        assertThat(took).as("TokenDiscoveryDatabaseDown firing within %s + %s slack", bound, SLACK).isNotNull();
        report("PostgreSQL down", "TokenDiscoveryDatabaseDown", took, bound);
        assertThat(took).isLessThanOrEqualTo(bound.plus(SLACK));
        assertThat(checks).as("readiness and API checks during the outage").isGreaterThan(10);

        HttpResponse<String> coldPage = get(apps[1], "/api/tokens/" + cold);
        assertThat(coldPage.statusCode()).as(coldPage.body()).isEqualTo(503);
        assertThat(coldPage.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/problem+json"));
        assertThat(JSON.readTree(coldPage.body()).path("status").asInt()).isEqualTo(503);
        assertThat(get(apps[1], "/api/tokens/" + warm).statusCode()).as("the cached page of a cold token")
                .isEqualTo(200);
        assertThat(alertNames(activeAlerts())).doesNotContain("TokenDiscoveryRedisDown");

        postgres.start();
        awaitUntil("TokenDiscoveryDatabaseDown resolved", Duration.ofSeconds(60),
                () -> !alertNames(activeAlerts()).contains("TokenDiscoveryDatabaseDown"));
    }

    @Test
    @Order(4)
    void theFeedDownFiresFeedDisconnected() throws Exception {
        Duration bound = FEED_DOWN_THRESHOLD.plus(SCRAPE).plus(EVALUATION)
                .plus(shortenedFor.get("TokenDiscoveryFeedDisconnected"));
        pumpPortal.stop();
        long since = System.nanoTime();
        Duration took = awaitFiring("TokenDiscoveryFeedDisconnected", since, bound.plus(SLACK));
        report("feed down (fake PumpPortal stopped)", "TokenDiscoveryFeedDisconnected", took, bound);
        for (App app : apps) {
            assertThat(get(app, "/actuator/health/readiness").statusCode()).as("readiness of app %d", app.index())
                    .isEqualTo(200);
        }
        assertThat(activeAlerts().stream().filter(a -> a.path("labels").path("alertname").asText()
                .equals("TokenDiscoveryFeedDisconnected")).count()).as("one alert for the deployment").isEqualTo(1);
    }

    @Test
    @Order(5)
    void redisDownFiresRedisDownAndTheScrapeKeepsWorking() throws Exception {
        Duration bound = PROBE_INTERVAL.plus(REDIS_TIMEOUT).plus(SCRAPE).plus(EVALUATION)
                .plus(shortenedFor.get("TokenDiscoveryRedisDown"));
        redis.close();
        redisStopped = true;
        long since = System.nanoTime();
        Duration took = awaitFiring("TokenDiscoveryRedisDown", since, bound.plus(SLACK));
        report("Redis down", "TokenDiscoveryRedisDown", took, bound);
        // the gauges that read Redis are refreshed by the probe, not at scrape time: the scrapes stay fast
        assertThat(query("sum(up{job=\"" + JOB + "\"})")).as("targets up while Redis is down").isEqualTo(2);
        // readiness includes Redis: a replica that cannot reach it leaves the Service (Spring's check: its own PING
        // with the Redis timeout)
        awaitUntil("readiness DOWN without Redis", Duration.ofSeconds(30),
                () -> get(apps[0], "/actuator/health/readiness").statusCode() == 503);
    }

    // --- the apps ---------------------------------------------------------------------------------------------------

    static App launch(int index, int port, int livePort) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx300m",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "io.tokendiscovery.TokenDiscoveryApplication");
        Map<String, String> env = builder.environment();
        env.put("PORT", Integer.toString(port));
        env.put("LIVE_PORT", Integer.toString(livePort));
        env.put("SPRING_DATA_REDIS_URL", redis.url());
        env.put("SPRING_DATA_REDIS_TIMEOUT", REDIS_TIMEOUT.toMillis() + "ms");
        env.put("SPRING_DATASOURCE_URL", postgres.jdbcUrl());
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("PUMPPORTAL_URL", pumpPortal.url());
        env.put("PUMPPORTAL_API_KEY", "simulator-dev-key");
        env.put("TOKENDISCOVERY_CLUSTER_ROOT", cluster.toAbsolutePath().toString());
        env.put("TOKENDISCOVERY_SYNC_CRON", "0/" + SYNC_INTERVAL.toSeconds() + " * * * * ?");
        env.put("TOKENDISCOVERY_SYNC_INITIALDELAY", "1s");
        env.put("TOKENDISCOVERY_SYNC_RETRIES", Integer.toString(SYNC_RETRIES));
        env.put("TOKENDISCOVERY_SYNC_RETRYDELAYMS", Long.toString(SYNC_RETRY_DELAY.toMillis()));
        env.put("TOKENDISCOVERY_DATABASE_CONNECTIONTIMEOUT", POOL_WAIT.toMillis() + "ms");
        env.put("TOKENDISCOVERY_DATABASE_LOCKTIMEOUT", LOCK_TIMEOUT.toMillis() + "ms");
        env.put("TOKENDISCOVERY_OPS_PROBEINTERVAL", PROBE_INTERVAL.toMillis() + "ms");
        env.put("TOKENDISCOVERY_OPS_POSTGRESPOLLINTERVAL", "5s");
        env.put("TOKENDISCOVERY_EMBEDDED_DATADIR", "");
        env.put("CAMEL_MAIN_ROUTESRELOADENABLED", "false");
        builder.redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.appendTo(work.resolve("app-" + index + ".log").toFile()));
        builder.directory(new File("."));
        return new App(index, port, livePort, builder.start());
    }

    static HttpResponse<String> get(App app, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Double leaderGauge(App app) {
        try {
            HttpResponse<String> response = get(app, "/actuator/prometheus");
            Matcher m = Pattern.compile("(?m)^tokendiscovery_cluster_leader\\{[^}]*} (\\S+)$").matcher(response.body());
            return m.find() ? Double.parseDouble(m.group(1)) : null;
        } catch (RuntimeException notUp) {
            return null;
        }
    }

    static void awaitAllReady(Duration within) {
        awaitUntil("every app ready", within, () -> {
            for (App app : apps) {
                if (!app.process().isAlive()) {
                    fail("app " + app.index() + " exited; see " + work.resolve("app-" + app.index() + ".log"));
                }
                try {
                    if (get(app, "/actuator/health/readiness").statusCode() != 200) {
                        return false;
                    }
                } catch (RuntimeException notYet) {
                    return false;
                }
            }
            return true;
        });
    }

    static App awaitOneLeader(Duration within) {
        App[] leader = new App[1];
        awaitUntil("exactly one leader", within, () -> {
            List<App> leaders = new ArrayList<>();
            for (App app : apps) {
                if (app.process().isAlive() && Double.valueOf(1.0).equals(leaderGauge(app))) {
                    leaders.add(app);
                }
            }
            leader[0] = leaders.size() == 1 ? leaders.get(0) : null;
            return leader[0] != null && pumpPortal.connectionCount() == 1;
        });
        return leader[0];
    }

    /** A row only PostgreSQL has (not in Redis): the page of a cold token. */
    static String coldToken(int n) throws Exception {
        String mint = "Co1d" + "1".repeat(35) + "Tok" + n;
        try (Connection db = DriverManager.getConnection(postgres.jdbcUrl());
                PreparedStatement insert = db.prepareStatement("INSERT INTO token_discovery (mint, name, symbol, "
                        + "first_seen_at, last_updated_at, version) VALUES (?, 'cold', 'COLD', now(), now(), 1) "
                        + "ON CONFLICT (mint) DO NOTHING")) {
            insert.setString(1, mint);
            insert.executeUpdate();
        }
        return mint;
    }

    // --- Prometheus -------------------------------------------------------------------------------------------------

    static Process startPrometheus(Path binary) throws Exception {
        Path dir = Files.createTempDirectory(work, "prometheus").toAbsolutePath();
        Files.writeString(dir.resolve("rules.yaml"), shortenedRules(Path.of("ops/prometheus/token-discovery-rules.yaml")));
        StringBuilder targets = new StringBuilder();
        for (App app : apps) {
            targets.append(targets.isEmpty() ? "" : ", ").append("'127.0.0.1:").append(app.port()).append("'");
        }
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: %ds
                  scrape_timeout: %ds
                  evaluation_interval: %ds
                rule_files: [rules.yaml]
                scrape_configs:
                  - job_name: %s
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: [%s]
                """.formatted(SCRAPE.toSeconds(), SCRAPE.toSeconds(), EVALUATION.toSeconds(), JOB, targets));
        prometheusPort = TestPorts.free();
        Process process = new ProcessBuilder(binary.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile())
                .directory(dir.toFile()).start();
        awaitUntil("Prometheus ready", Duration.ofSeconds(60), () -> {
            if (!process.isAlive()) {
                fail("prometheus exited; see " + work.resolve("prometheus.log"));
            }
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + "/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200;
            } catch (Exception notYet) {
                return false;
            }
        });
        return process;
    }

    /** The project's rules with every {@code for:} divided by 12 (at least 2 s); nothing else changes. */
    @SuppressWarnings("unchecked")
    static String shortenedRules(Path rules) throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(rules));
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                if (rule.containsKey("for")) {
                    Duration original = parseDuration(String.valueOf(rule.get("for")));
                    long seconds = Math.max(2, (original.toSeconds() + 11) / 12);
                    rule.put("for", seconds + "s");
                    shortenedFor.merge(String.valueOf(rule.get("alert")), Duration.ofSeconds(seconds),
                            (a, b) -> a.compareTo(b) >= 0 ? a : b);
                }
            }
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setWidth(4000);
        return new Yaml(options).dump(file);
    }

    static Duration parseDuration(String text) {
        Matcher m = Pattern.compile("(\\d+)([smh])").matcher(text);
        Duration total = Duration.ZERO;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
        }
        return total;
    }

    static JsonNode prometheusGet(String pathAndQuery) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + prometheusPort + pathAndQuery))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of an instant query with one result; NaN when there is none. */
    static double query(String promql) {
        JsonNode result = prometheusGet("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                .path("data").path("result");
        return result.size() == 1 ? Double.parseDouble(result.get(0).path("value").get(1).asText()) : Double.NaN;
    }

    static List<JsonNode> activeAlerts() {
        List<JsonNode> alerts = new ArrayList<>();
        prometheusGet("/api/v1/alerts").path("data").path("alerts").forEach(alerts::add);
        return alerts;
    }

    static Set<String> alertNames(List<JsonNode> alerts) {
        Set<String> names = new TreeSet<>();
        alerts.forEach(a -> names.add(a.path("labels").path("alertname").asText()));
        return names;
    }

    static boolean firing(String alert) {
        return activeAlerts().stream().anyMatch(a -> a.path("labels").path("alertname").asText().equals(alert)
                && a.path("state").asText().equals("firing"));
    }

    static Duration awaitFiring(String alert, long sinceNanos, Duration within) {
        awaitUntil(alert + " firing", within, () -> firing(alert));
        return elapsed(sinceNanos);
    }

    static void report(String failure, String alert, Duration took, Duration bound) {
        System.out.printf("Time to alert: %s -> %s firing after %.1f s (documented bound with this test's settings "
                + "%d s, + %d s slack)%n", failure, alert, took.toMillis() / 1000.0, bound.toSeconds(), SLACK.toSeconds());
        assertThat(took).as("%s: time to %s", failure, alert).isLessThanOrEqualTo(bound.plus(SLACK));
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    /** Polls every 250 ms, at most {@code within}; fails with the description when the time is up. */
    static void awaitUntil(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // a store or an app not answering yet: try again
            }
            if (System.nanoTime() > deadline) {
                fail("Timed out after " + within + " waiting for: " + what);
            }
            sleep(Duration.ofMillis(250));
        }
    }

    static Duration elapsed(long sinceNanos) {
        return Duration.ofNanos(System.nanoTime() - sinceNanos);
    }

    static void mark(String what) {
        System.out.printf("[%5.1f s] %s%n", elapsed(startNanos).toMillis() / 1000.0, what);
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reads /api/v1/alerts every second for the healthy phase and keeps every alert it ever saw, pending or firing. */
    static final class AlertSampler extends Thread {

        private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
        private volatile int samples;
        private volatile boolean recording = true;

        AlertSampler() {
            super("alert-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted() && recording) {
                try {
                    for (JsonNode alert : activeAlerts()) {
                        Seen s = new Seen(elapsed(startNanos), alert.path("labels").path("alertname").asText(),
                                alert.path("state").asText());
                        seen.add(s);
                        System.out.printf("[%5.1f s] ALERT %s %s %s%n", s.at().toMillis() / 1000.0, s.alert(),
                                s.state(), alert.path("labels"));
                    }
                    samples++;
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException prometheusBusy) {
                    // next round
                }
            }
        }

        /** Stops recording (the failure phases fire alerts on purpose) and returns what was seen. */
        List<Seen> seen() {
            recording = false;
            synchronized (seen) {
                return new ArrayList<>(seen);
            }
        }

        int samples() {
            return samples;
        }
    }
}
