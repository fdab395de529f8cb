package io.tokendiscovery.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.cache.TokenStore;
import io.tokendiscovery.ingest.FeedEvent.TokenCreated;
import io.tokendiscovery.ingest.FeedEvent.TokenTraded;
import io.tokendiscovery.ingest.ReceiveClock;
import io.tokendiscovery.ingest.SampleFrames;
import io.tokendiscovery.ingest.TestFrames;
import io.tokendiscovery.ingest.TokenPricing;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/** The read API over HTTP: feeds, read-through token pages, trades, sync runs, validation, problem JSON, OpenAPI. */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"tokendiscovery.simulator.frames-per-second=0", "tokendiscovery.pricing.sol-usd=100"})
@ActiveProfiles("test")
class TokenApiTest {

    private static final AtomicLong SALT = new AtomicLong(90_000);

    @Autowired TestRestTemplate http;
    @Autowired TokenPricing pricing;
    @Autowired TokenStore store;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired JdbcTemplate jdbc;
    @Autowired ProducerTemplate producer;
    @Autowired CamelContext camel;
    private final ReceiveClock receiveClock = new ReceiveClock(Clock.systemUTC());
    private final AtomicLong signatures = new AtomicLong();
    private final long salt = SALT.addAndGet(1000);

    private void create(String mint, String name) {
        store.applyAndMarkDirty(pricing.create(new TokenCreated(TestFrames.signature(signatures.incrementAndGet(), salt),
                mint, null, "pump", name, name.toUpperCase(), null, false, 0, 0, 30.0, 1_073_000_000d, null,
                receiveClock.next(), System.currentTimeMillis())));
    }

    private void trade(String mint, double sol, double vSol) {
        store.applyAndMarkDirty(pricing.trade(new TokenTraded(TestFrames.signature(signatures.incrementAndGet(), salt),
                mint, null, true, 1000, sol, vSol, 30 * 1_073_000_000d / vSol, null, "pump", receiveClock.next(),
                System.currentTimeMillis())));
    }

    private JsonNode get(String path, int status) {
        ResponseEntity<String> response = http.getForEntity(path, String.class);
        assertThat(response.getStatusCode().value()).as(path + ": " + response.getBody()).isEqualTo(status);
        return SampleFrames.parse(response.getBody());
    }

    @Test
    void feedsServeTheRedisSortedSetsBestFirst() {
        String whale = TestFrames.key32(1, salt);
        String minnow = TestFrames.key32(2, salt);
        create(minnow, "minnow");
        create(whale, "whale");
        trade(whale, 50, 80);
        trade(minnow, 0.01, 31);
        JsonNode hot = get("/api/tokens/hot?limit=200", 200);
        assertThat(indexOf(hot, whale)).isLessThan(indexOf(hot, minnow)).isNotNegative();
        JsonNode whaleView = hot.get(indexOf(hot, whale));
        assertThat(whaleView.get("name").asText()).isEqualTo("whale");
        assertThat(whaleView.get("priceSol").asDouble()).isEqualTo(80 / (30 * 1_073_000_000d / 80));
        assertThat(whaleView.get("hotScore").asDouble()).isGreaterThan(5000);
        JsonNode fresh = get("/api/tokens/new?limit=2", 200);
        assertThat(fresh).hasSize(2);
        assertThat(fresh.get(0).get("mint").asText()).isEqualTo(whale);
        JsonNode graduating = get("/api/tokens/graduating", 200);
        assertThat(indexOf(graduating, whale)).isLessThan(indexOf(graduating, minnow));
    }

    @Test
    void aTokenIsReadThroughRedisThenTheCacheThenPostgres() {
        String live = TestFrames.key32(3, salt);
        create(live, "live");
        ResponseEntity<String> fromRedis = http.getForEntity("/api/tokens/" + live, String.class);
        assertThat(fromRedis.getStatusCode().value()).isEqualTo(200);
        assertThat(fromRedis.getHeaders().getFirst(TokenReads.SOURCE_HEADER)).isEqualTo("redis");
        assertThat(fromRedis.getHeaders().containsKey("mint")).as("request headers are not echoed").isFalse();
        assertThat(fromRedis.getHeaders().containsKey("User-Agent")).isFalse();
        assertThat(SampleFrames.parse(fromRedis.getBody()).get("symbol").asText()).isEqualTo("LIVE");

        String archived = TestFrames.key32(4, salt);
        jdbc.update("""
                INSERT INTO token_discovery (mint, name, state, price_sol, first_seen_at, last_updated_at, version)
                VALUES (?, 'archived', 'STALE', 0.000000123, now(), now(), 1)""", archived);
        ResponseEntity<String> first = http.getForEntity("/api/tokens/" + archived, String.class);
        assertThat(first.getHeaders().getFirst(TokenReads.SOURCE_HEADER)).isEqualTo("database");
        assertThat(SampleFrames.parse(first.getBody()).get("priceSol").asDouble()).isEqualTo(0.000000123);
        assertThat(redis.getExpire(keys.tokenPageCache(archived))).isPositive();
        ResponseEntity<String> second = http.getForEntity("/api/tokens/" + archived, String.class);
        assertThat(second.getHeaders().getFirst(TokenReads.SOURCE_HEADER)).isEqualTo("cache");
        assertThat(second.getBody()).isEqualTo(first.getBody());
    }

    @Test
    void recentTradesNewestFirstAndSyncRuns() {
        String mint = TestFrames.key32(5, salt);
        create(mint, "traded");
        for (int i = 0; i < 5; i++) {
            trade(mint, 0.1 * (i + 1), 31 + i);
        }
        JsonNode trades = get("/api/tokens/" + mint + "/trades?limit=2", 200);
        assertThat(trades).hasSize(2);
        assertThat(trades.get(0).get("solAmount").asDouble()).isEqualTo(0.5);
        assertThat(trades.get(1).get("solAmount").asDouble()).isEqualTo(0.4);

        producer.requestBody("direct:redis-to-db-sync", (Object) null);
        JsonNode runs = get("/api/sync/runs?limit=1", 200);
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).get("outcome").asText()).isEqualTo("SUCCESS");
        assertThat(runs.get(0).get("started_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }

    @Test
    void badInputAndUnknownTokensAreProblemJson() {
        producer.requestBody("direct:redis-to-db-sync", (Object) null);   // nothing left dirty that a scheduled sync
        long rowsBefore = jdbc.queryForObject("SELECT count(*) FROM token_discovery", Long.class);   // could add
        for (String path : new String[] {"/api/tokens/not-a-mint!", "/api/tokens/abc", "/api/tokens/hot?limit=0",
                "/api/tokens/hot?limit=201", "/api/tokens/new?limit=ten", "/api/sync/runs?limit=-1"}) {
            ResponseEntity<String> response = http.getForEntity(path, String.class);
            assertThat(response.getStatusCode().value()).as(path).isEqualTo(400);
            assertThat(response.getHeaders().getContentType().toString()).startsWith("application/problem+json");
            assertThat(response.getHeaders().containsKey("mint")).as("request headers are not echoed").isFalse();
            JsonNode problem = SampleFrames.parse(response.getBody());
            assertThat(problem.get("status").asInt()).isEqualTo(400);
            assertThat(problem.get("title").asText()).startsWith("Invalid");
        }
        ResponseEntity<String> unknown = http.getForEntity("/api/tokens/" + TestFrames.key32(6, salt), String.class);
        assertThat(unknown.getStatusCode().value()).isEqualTo(404);
        assertThat(SampleFrames.parse(unknown.getBody()).get("title").asText()).isEqualTo("Unknown token");
        ResponseEntity<String> sql = http.getForEntity("/api/tokens/'; DROP TABLE token_discovery; --", String.class);
        assertThat(sql.getStatusCode().value()).isIn(400, 404);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM token_discovery", Long.class))
                .as("the table is still there and no request changed it").isEqualTo(rowsBefore);
    }

    /**
     * The served OpenAPI document validates with swagger-parser and declares, for every operation, its 200 response
     * schema and its problem responses, so client generators can use it; the declared schemas match the JSON served.
     * Failed before issue 17: every operation's responses were {@code default: {}} (no description, no schema),
     * which swagger-parser reports, and the document's route was {@code route1}.
     */
    @Test
    void theOpenApiDocumentValidatesAndDeclaresEveryResponse() {
        ResponseEntity<String> served = http.getForEntity("/api/openapi.json", String.class);
        assertThat(served.getStatusCode().value()).isEqualTo(200);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIParser().readContents(served.getBody(), null, options);
        assertThat(result.getMessages()).as("swagger-parser messages").isEmpty();
        OpenAPI api = result.getOpenAPI();
        assertThat(api.getPaths()).containsOnlyKeys("/api/tokens/hot", "/api/tokens/new", "/api/tokens/graduating",
                "/api/tokens/{mint}", "/api/tokens/{mint}/trades", "/api/sync/runs");
        api.getPaths().forEach((path, item) -> {
            Operation get = item.getGet();
            assertThat(get).as(path).isNotNull();
            assertThat(get.getResponses()).as(path).doesNotContainKey("default");
            List<String> codes = path.equals("/api/tokens/{mint}") ? List.of("200", "400", "404", "503")
                    : List.of("200", "400", "503");
            assertThat(get.getResponses()).as(path).containsOnlyKeys(codes);
            get.getResponses().forEach((code, response) -> {
                assertThat(response.getDescription()).as(path + " " + code).isNotBlank();
                // camel-openapi-java 4.17 lists every response under the operation's produces (application/json);
                // the problem responses themselves are served as application/problem+json
                assertThat(response.getContent()).as(path + " " + code).containsOnlyKeys("application/json");
                Schema<?> schema = response.getContent().get("application/json").getSchema();
                String ref = schema.getItems() != null ? schema.getItems().get$ref() : schema.get$ref();
                assertThat(ref).as(path + " " + code).isEqualTo("#/components/schemas/" + switch (code) {
                    case "200" -> path.endsWith("/trades") ? "Trade" : path.startsWith("/api/sync") ? "SyncRun" : "Token";
                    default -> "Problem";
                });
            });
        });
        assertThat(camel.getRoute("api-openapi")).as("the OpenAPI route has an id of its own").isNotNull();

        // the declared schemas are the served shapes
        String mint = TestFrames.key32(7, salt);
        create(mint, "documented");
        trade(mint, 0.1, 31);
        producer.requestBody("direct:redis-to-db-sync", (Object) null);
        assertThat(fieldNames(get("/api/tokens/" + mint, 200))).isEqualTo(properties(api, "Token"));
        assertThat(properties(api, "Trade")).containsAll(fieldNames(get("/api/tokens/" + mint + "/trades", 200).get(0)));
        assertThat(fieldNames(get("/api/sync/runs?limit=1", 200).get(0))).isEqualTo(properties(api, "SyncRun"));
        assertThat(fieldNames(get("/api/tokens/abc", 400))).isEqualTo(properties(api, "Problem"));
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> properties(OpenAPI api, String schema) {
        Schema<?> declared = api.getComponents().getSchemas().get(schema);
        assertThat(declared).as("schema " + schema).isNotNull();
        return new TreeSet<>(declared.getProperties().keySet());
    }

    private static int indexOf(JsonNode list, String mint) {
        for (int i = 0; i < list.size(); i++) {
            if (mint.equals(list.get(i).get("mint").asText())) {
                return i;
            }
        }
        return -1;
    }
}
