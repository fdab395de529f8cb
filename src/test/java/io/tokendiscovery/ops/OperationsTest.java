package io.tokendiscovery.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokendiscovery.cache.DeadLetterStore;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.ingest.TestFrames;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * What an operator (and an attacker) sees: management security (anonymous, viewer, admin), health groups and their
 * readiness rules, the metrics the plan tracks, and the dead-letter replay command.
 */
@CamelSpringBootTest
@DisableJmx(false)
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "tokendiscovery.security.admin-password=admin-secret",
    "tokendiscovery.security.viewer-password=viewer-secret",
    "tokendiscovery.simulator.frames-per-second=200"
})
@ActiveProfiles("test")
class OperationsTest {

    private static final String INGEST_ROUTE_MBEAN =
            "org.apache.camel:context=token-discovery,type=routes,name=%22ingest-frame%22";

    @LocalServerPort int port;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired JdbcTemplate jdbc;
    @Autowired DeadLetterStore deadLetters;
    private final ObjectMapper json = new ObjectMapper();
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(String path, String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (user != null) {
            request.header("Authorization", basic(user, password));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String user, String password, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            request.header("Authorization", basic(user, password));
        }
        cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN")).findFirst()
                .map(HttpCookie::getValue).ifPresent(token -> request.header("X-XSRF-TOKEN", token));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anonymousUsersGetOnlyHealthStatusAndMetrics() throws Exception {
        // docs/operations.md, "Endpoints and who may see them": 401 for every protected endpoint, 404 for the ones
        // that are not exposed at all
        for (String path : new String[] {"/actuator/hawtio/", "/actuator/hawtio/index.html", "/actuator/jolokia/version",
                "/actuator/hawtio/jolokia/read/" + INGEST_ROUTE_MBEAN + "/ExchangesTotal", "/actuator/deadletters",
                "/actuator/syncruns?limit=5"}) {
            HttpResponse<String> response = get(path, null, null);
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(path).hasValueSatisfying(
                    value -> assertThat(value).startsWith("Basic"));
        }
        for (String path : new String[] {"/actuator/env", "/actuator/beans", "/actuator/heapdump"}) {
            assertThat(get(path, null, null).statusCode()).as(path).isEqualTo(404);
            assertThat(get(path, "admin", "admin-secret").statusCode()).as("%s, even for an admin", path).isEqualTo(404);
        }
        assertThat(get("/actuator/hawtio/", "viewer", "wrong").statusCode()).isEqualTo(401);
        // readiness waits for the feed and the first sync, which on a loaded 2-core machine can take a while
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> health = get("/actuator/health", null, null);
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"").doesNotContain("components")
                    .doesNotContain("details");
        });
        assertThat(get("/actuator/prometheus", null, null).statusCode()).isEqualTo(200);
        assertThat(get("/api/tokens/hot", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aViewerReadsRouteStatisticsButCannotInvokeOperations() throws Exception {
        assertThat(get("/actuator/hawtio/index.html", "viewer", "viewer-secret").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> read = get("/actuator/hawtio/jolokia/read/" + INGEST_ROUTE_MBEAN + "/ExchangesTotal",
                    "viewer", "viewer-secret");
            assertThat(read.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(read.body());
            assertThat(body.path("status").asInt()).as(read.body()).isEqualTo(200);
            assertThat(body.path("value").asLong()).isPositive();
        });
        // JMX statistics level Extended: per-processor statistics exist
        HttpResponse<String> search = get("/actuator/jolokia/search/org.apache.camel:context=token-discovery,type=processors,*",
                "viewer", "viewer-secret");
        assertThat(json.readTree(search.body()).path("value").size()).isPositive();

        String stop = "/exec/org.apache.camel:context=token-discovery,type=routes,name=%22hot-scores%22/stop()";
        assertThat(get("/actuator/jolokia" + stop, "viewer", "viewer-secret").statusCode()).isEqualTo(403);
        assertThat(get("/actuator/hawtio/jolokia" + stop, "viewer", "viewer-secret").statusCode()).isEqualTo(403);
        // POST (what Hawtio sends), with a valid CSRF token, bulk form with one read and one exec
        get("/actuator/hawtio/index.html", "viewer", "viewer-secret");
        String bulk = """
                [{"type":"read","mbean":"org.apache.camel:context=token-discovery,type=routes,name=\\"hot-scores\\"","attribute":"State"},
                 {"type":"EXEC","mbean":"org.apache.camel:context=token-discovery,type=routes,name=\\"hot-scores\\"","operation":"stop()"}]""";
        assertThat(post("/actuator/jolokia", "viewer", "viewer-secret", bulk).statusCode()).isEqualTo(403);
        assertThat(get("/actuator/jolokia/read/org.apache.camel:context=token-discovery,type=routes,name=%22hot-scores%22/State",
                "viewer", "viewer-secret").body()).contains("Started");
        assertThat(get("/actuator/deadletters", "viewer", "viewer-secret").statusCode()).isEqualTo(403);
    }

    @Test
    void anAdminMayInvokeOperations() throws Exception {
        get("/actuator/hawtio/index.html", "admin", "admin-secret");
        String route = "org.apache.camel:context=token-discovery,type=routes,name=\\\"hot-scores\\\"";
        HttpResponse<String> stop = post("/actuator/jolokia", "admin", "admin-secret",
                "{\"type\":\"exec\",\"mbean\":\"" + route + "\",\"operation\":\"stop()\"}");
        assertThat(stop.statusCode()).isEqualTo(200);
        assertThat(json.readTree(stop.body()).path("status").asInt()).as(stop.body()).isEqualTo(200);
        String state = "/actuator/jolokia/read/org.apache.camel:context=token-discovery,type=routes,name=%22hot-scores%22/State";
        assertThat(get(state, "admin", "admin-secret").body()).contains("Stopped");
        post("/actuator/jolokia", "admin", "admin-secret",
                "{\"type\":\"exec\",\"mbean\":\"" + route + "\",\"operation\":\"start()\"}");
        assertThat(get(state, "admin", "admin-secret").body()).contains("Started");
    }

    @Test
    void healthGroupsSeparateLivenessFromReadiness() throws Exception {
        assertThat(get("/actuator/health/liveness", null, null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(get("/actuator/health/readiness", null, null).statusCode()).isEqualTo(200));
        // readiness = this replica can serve its traffic: Redis, not PostgreSQL, sync freshness or the feed
        JsonNode readiness = json.readTree(get("/actuator/health/readiness", "viewer", "viewer-secret").body());
        assertThat(readiness.path("components").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("redis", "readinessState");
        JsonNode liveness = json.readTree(get("/actuator/health/liveness", "viewer", "viewer-secret").body());
        assertThat(liveness.path("components").fieldNames()).toIterable().containsOnly("livenessState");
        // the shared systems are still in the full health, db from the probe (not a query of its own)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                json.readTree(get("/actuator/health", "viewer", "viewer-secret").body()).path("components")
                        .path("db").path("status").asText()).isEqualTo("UP"));
        assertThat(json.readTree(get("/actuator/health", "viewer", "viewer-secret").body()).path("components")
                .fieldNames()).toIterable().contains("db", "redis", "pumpPortal", "syncFreshness");

        // the last successful sync (by any replica) is older than tokendiscovery.ops.max-sync-age (15 min): DEGRADED
        // in the health details, and the replica stays ready (before issue 15 readiness went DOWN on every replica)
        String key = keys.lastSyncSuccess();
        String before = redis.opsForValue().get(key);
        redis.opsForValue().set(key, Long.toString(System.currentTimeMillis() - Duration.ofMinutes(16).toMillis()));
        try {
            HttpResponse<String> stale = get("/actuator/health", "viewer", "viewer-secret");
            assertThat(stale.statusCode()).isEqualTo(200);
            assertThat(json.readTree(stale.body()).path("status").asText()).isEqualTo("DEGRADED");
            assertThat(json.readTree(stale.body()).path("components").path("syncFreshness").path("status").asText())
                    .isEqualTo("DEGRADED");
            assertThat(get("/actuator/health/readiness", null, null).statusCode()).isEqualTo(200);
            assertThat(get("/actuator/health/liveness", null, null).statusCode()).isEqualTo(200);
        } finally {
            if (before == null) {
                redis.delete(key);
            } else {
                redis.opsForValue().set(key, before);
            }
        }
    }

    @Test
    void thePlansMetricsAreExposed() throws Exception {
        get("/api/tokens/new", null, null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String metrics = get("/actuator/prometheus", null, null).body();
            assertThat(metrics)
                    .contains("tokendiscovery_ingest_redis_latency_seconds_bucket{")
                    .contains("tokendiscovery_live_push_latency_seconds")
                    .contains("http_server_requests_seconds_bucket{")
                    .contains("uri=\"/api/tokens/new\"")
                    .containsPattern("tokendiscovery_write_mode\\{[^}]*mode=\"write-behind\"[^}]*} 1\\.0")
                    .containsPattern("tokendiscovery_write_mode\\{[^}]*mode=\"write-through\"[^}]*} 0\\.0")
                    .contains("tokendiscovery_sync_last_success_age_seconds")
                    .contains("tokendiscovery_ingest_frames_total")
                    .contains("tokendiscovery_pumpportal_connection_state")
                    .contains("tokendiscovery_sync_runs_total")
                    .contains("camel_exchanges_total{")
                    .contains("routeId=\"ingest-frame\"")
                    .contains("routeId=\"ingest-batch\"");
        });
    }

    @Test
    void deadLetteredFramesAndRowsAreReplayedOnCommand() throws Exception {
        // a valid trade that failed while Redis was unreachable, and a malformed frame that fails again
        String mint = TestFrames.key32(1, 4242);
        String trade = TestFrames.trade(mint, TestFrames.signature(1, 4242), true, 0.5, 1000, 40, 30 * 1_073_000_000d / 40);
        redis.delete(keys.deadLetters());
        deadLetters.record(trade, "PROCESSING_FAILED", "RedisConnectionFailureException: down", 7L, System.currentTimeMillis());
        deadLetters.record("{\"mint\":", "MALFORMED_JSON", "cut", null, null);

        HttpResponse<String> counts = get("/actuator/deadletters", "admin", "admin-secret");
        assertThat(json.readTree(counts.body()).path("frames").asLong()).isEqualTo(2);
        HttpResponse<String> replay = post("/actuator/deadletters", "admin", "admin-secret",
                "{\"source\":\"frames\",\"max\":10}");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(json.readTree(replay.body()).path("replayed").asInt()).isEqualTo(2);
        assertThat(redis.opsForHash().get(keys.token(mint), "trade_count")).isEqualTo("1");
        // the malformed frame is dead-lettered again, once; the replayed trade is gone from the list
        assertThat(redis.opsForList().range(keys.deadLetters(), 0, -1)).hasSize(1)
                .allMatch(e -> e.contains("\"frame\":\"{\\\"mint\\\":\"") && e.contains("\"receiveSeq\":1"));

        // a row PostgreSQL rejected once (the cause since fixed), and one it rejects again
        String good = TestFrames.key32(2, 4242);
        String bad = TestFrames.key32(3, 4242);
        jdbc.update("INSERT INTO sync_dead_letter (mint, sync_owner, sql_state, error, payload) VALUES (?, 'x', '23514', 'e', ?::jsonb)",
                good, payload(good, "50"));
        jdbc.update("INSERT INTO sync_dead_letter (mint, sync_owner, sql_state, error, payload) VALUES (?, 'x', '22003', 'e', ?::jsonb)",
                bad, payload(bad, "12345678.9"));
        HttpResponse<String> rows = post("/actuator/deadletters", "admin", "admin-secret", "{\"source\":\"sync\"}");
        JsonNode report = json.readTree(rows.body());
        assertThat(report.path("replayed").asInt()).as(rows.body()).isEqualTo(2);
        assertThat(report.path("written").asInt()).isEqualTo(1);
        assertThat(report.path("rejectedAgain").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM token_discovery WHERE mint = ?", Integer.class, good)).isOne();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sync_dead_letter WHERE mint = ? AND replayed_at IS NULL",
                Integer.class, bad)).isOne();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sync_dead_letter WHERE mint IN (?, ?) AND replayed_at IS NULL",
                Integer.class, good, bad)).isOne();
        assertThat(post("/actuator/deadletters", "admin", "admin-secret", "{\"source\":\"nope\"}").statusCode())
                .isEqualTo(400);
    }

    private static String payload(String mint, String bondingProgress) {
        return String.format(Locale.ROOT, """
                {"mint":"%s","name":"Replayed","symbol":"RPL","state":"ACTIVE","price_sol":"0.00000003",
                 "price_usd":"0.0000045","trade_count":"12","buy_count":"12","sell_count":"0","volume_sol":"1.5",
                 "volume_usd":"225","bonding_progress":"%s","first_seen_at":"1795880000000",
                 "updated_at":"1795880000000","version":"5"}""", mint, bondingProgress);
    }
}
