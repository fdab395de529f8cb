package io.tokendiscovery.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.ingest.PumpPortalHeaders;
import io.tokendiscovery.ingest.ReceiveClock;
import io.tokendiscovery.ingest.SampleFrames;
import io.tokendiscovery.ingest.TestFrames;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * Issue 13, items 6 and 7, against real embedded PostgreSQL and Redis: write-through never blocks ingest while the
 * database is unavailable, a hung (locked) database turns into a failed, recorded, retried sync within the
 * configured timeouts, and {@code GET /api/sync/runs} tells the public a category and SQLSTATE only.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.pricing.sol-usd=100",
    "tokendiscovery.database.connection-timeout=2s",
    "tokendiscovery.database.lock-timeout=1s",
    "tokendiscovery.database.statement-timeout=5s",
    "tokendiscovery.database.socket-timeout=10s",
    "tokendiscovery.sync.retries=1",
    "tokendiscovery.sync.retry-delay-ms=200",
    "tokendiscovery.write-through.cool-down=1s",
    "tokendiscovery.security.admin-password=admin-secret",
    "tokendiscovery.security.viewer-password=viewer-secret"
})
@ActiveProfiles("test")
class DatabaseTimeoutsTest {

    private static final AtomicLong SALT = new AtomicLong(130_000);
    private static final ExecutorService background = Executors.newCachedThreadPool();

    @Autowired ProducerTemplate producer;
    @Autowired WriteMode writeMode;
    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired SyncReports reports;
    @Autowired TestRestTemplate http;
    @Value("${spring.datasource.url}") String jdbcUrl;

    private final ReceiveClock receiveClock = new ReceiveClock(Clock.systemUTC());
    private final long salt = SALT.addAndGet(1000);
    private long signatures;

    @AfterEach
    void writeBehindAgain() {
        writeMode.switchTo(WriteMode.FILE_DEFAULT, "DatabaseTimeoutsTest", "test");
    }

    @AfterAll
    static void stopBackground() {
        background.shutdownNow();
    }

    /** One trade frame as a batch of one, as the pumpportal: consumer delivers a calm feed. */
    private void trade(String mint) {
        double vSol = 40 + (++signatures) / 100d;
        Message frame = new DefaultMessage(producer.getCamelContext());
        frame.setBody(TestFrames.trade(mint, TestFrames.signature(signatures, salt), true, 0.5, 1000, vSol,
                30 * 1_073_000_000d / vSol));
        frame.setHeader(PumpPortalHeaders.RECEIVE_SEQ, receiveClock.next());
        frame.setHeader(PumpPortalHeaders.RECEIVED_AT, System.currentTimeMillis());
        producer.sendBody("direct:ingest-batch", List.of(frame));
    }

    private void sync() {
        producer.requestBody("direct:redis-to-db-sync", (Object) null);
    }

    private Long rowTrades(String mint) {
        return jdbc.queryForList("SELECT trade_count FROM token_discovery WHERE mint = ?", Long.class, mint)
                .stream().findFirst().orElse(null);
    }

    private String redisTrades(String mint) {
        return (String) redis.opsForHash().get(keys.token(mint), "trade_count");
    }

    private boolean dirty(String mint) {
        return redis.opsForZSet().score(keys.dirty(), mint) != null;
    }

    /**
     * Item 6. PostgreSQL refuses connections; in write-through mode a burst of 24 swaps must still be applied to
     * Redis at ingest speed (bound: 20 s in all, where the unmodified code waited Hikari's 30 s connection timeout on
     * the ingest thread for EVERY swap, 12 minutes for this burst: this test fails on it with a timeout). Nothing is
     * lost: the tokens stay dirty, and once the database is back a sync writes every row with its full count.
     */
    @Test
    void writeThroughWithTheDatabaseDownNeverBlocksIngestAndLosesNothing() throws Exception {
        writeMode.switchTo("write-through", "DatabaseTimeoutsTest", "test");
        List<String> mints = List.of(TestFrames.key32(1, salt), TestFrames.key32(2, salt));
        try (Connection admin = DriverManager.getConnection(jdbcUrl.replace("/postgres?", "/template1?"));
                Statement sql = admin.createStatement()) {
            sql.execute("ALTER DATABASE postgres ALLOW_CONNECTIONS false");
            sql.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    + "WHERE datname = 'postgres' AND pid <> pg_backend_pid()");
            try {
                long began = System.nanoTime();
                Future<?> burst = background.submit(() -> {
                    for (int i = 0; i < 12; i++) {
                        mints.forEach(this::trade);
                    }
                });
                try {
                    burst.get(20, TimeUnit.SECONDS);
                } finally {
                    burst.cancel(true);
                }
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                assertThat(tookMs).as("24 swaps with the database down").isLessThan(20_000);
                for (String mint : mints) {
                    assertThat(redisTrades(mint)).as("every swap applied to Redis").isEqualTo("12");
                    assertThat(dirty(mint)).as("write-through never clears the dirty mark").isTrue();
                }
            } finally {
                sql.execute("ALTER DATABASE postgres ALLOW_CONNECTIONS true");
            }
        }
        writeMode.switchTo(WriteMode.FILE_DEFAULT, "DatabaseTimeoutsTest", "test");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            sync();
            for (String mint : mints) {
                assertThat(rowTrades(mint)).as("row of %s", mint).isEqualTo(12L);
            }
        });
        mints.forEach(mint -> assertThat(dirty(mint)).as("acknowledged by the sync").isFalse());
    }

    /**
     * Item 7. A test transaction holds row locks on token_discovery (SELECT ... FOR UPDATE, left open): the sync must
     * fail within the lock timeout (1 s here, x2 attempts) instead of hanging, record the run as FAILED with
     * category TIMEOUT and SQLSTATE 55P03, release its claims, and the next sync after the lock is released writes
     * the rows. On the unmodified code (no lock_timeout, no statement or transaction timeout) the sync waits for the
     * lock as long as it is held: this test fails there with a timeout after 30 s.
     */
    @Test
    void aLockedDatabaseFailsTheSyncWithinTheTimeoutAndTheNextSyncWritesTheRows() throws Exception {
        List<String> mints = List.of(TestFrames.key32(11, salt), TestFrames.key32(12, salt));
        for (int i = 0; i < 11; i++) {
            mints.forEach(this::trade);
        }
        sync();
        mints.forEach(mint -> assertThat(rowTrades(mint)).isEqualTo(11L));
        mints.forEach(this::trade);

        try (Connection locker = DriverManager.getConnection(jdbcUrl)) {
            locker.setAutoCommit(false);
            try (PreparedStatement lock = locker.prepareStatement(
                    "SELECT mint FROM token_discovery WHERE mint = ANY(?) FOR UPDATE")) {
                Array array = locker.createArrayOf("text", mints.toArray());
                lock.setArray(1, array);
                try (ResultSet locked = lock.executeQuery()) {
                    int rows = 0;
                    while (locked.next()) {
                        rows++;
                    }
                    assertThat(rows).isEqualTo(2);
                }
            }
            try {
                long began = System.nanoTime();
                Future<?> run = background.submit(this::sync);
                try {
                    run.get(30, TimeUnit.SECONDS);
                } finally {
                    run.cancel(true);
                }
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                // 2 attempts x 1 s lock timeout + 0.2 s delay, plus generous slack for a busy 2-core machine
                assertThat(tookMs).as("a blocked sync gives up within its timeouts").isLessThan(20_000);

                Map<String, Object> run1 = jdbc.queryForMap(
                        "SELECT outcome, error_category, sql_state, error FROM sync_run ORDER BY id DESC LIMIT 1");
                assertThat(run1).containsEntry("outcome", "FAILED").containsEntry("error_category", "TIMEOUT")
                        .containsEntry("sql_state", "55P03");
                assertThat((String) run1.get("error")).contains("lock timeout");
                assertThat(redis.opsForZSet().zCard(keys.inFlight())).as("claims released").isZero();
                mints.forEach(mint -> assertThat(dirty(mint)).as("%s dirty for the next run", mint).isTrue());
                mints.forEach(mint -> assertThat(rowTrades(mint)).isEqualTo(11L));
            } finally {
                locker.rollback();
            }
        }
        sync();
        mints.forEach(mint -> assertThat(rowTrades(mint)).as("written after the lock is gone").isEqualTo(12L));
        mints.forEach(mint -> assertThat(dirty(mint)).isFalse());
    }

    /**
     * Item 7. A failed run's exception text (SQL, values, hosts) must not reach the anonymous API: GET
     * /api/sync/runs shows the category and SQLSTATE; the text is in /actuator/syncruns for ADMIN only. On the
     * unmodified code the API returned the raw text in {@code error} (and had neither column nor endpoint): fails.
     */
    @Test
    void syncRunsShowACategoryAndSqlStatePubliclyAndTheDetailsOnlyToAdmin() {
        DataAccessException failure = null;
        try {
            jdbc.queryForList("SELECT secret_column FROM token_discovery WHERE mint = 'payload-fragment'");
        } catch (DataAccessException e) {
            failure = e;
        }
        assertThat(failure).isNotNull();
        String owner = "api-test-" + salt;
        reports.failed(new SyncClaim(owner, System.currentTimeMillis(), List.of("m"), 0), failure);

        ResponseEntity<String> anonymous = http.getForEntity("/api/sync/runs?limit=1", String.class);
        assertThat(anonymous.getStatusCode().value()).isEqualTo(200);
        JsonNode run = SampleFrames.parse(anonymous.getBody()).get(0);
        assertThat(run.get("owner").asText()).isEqualTo(owner);
        assertThat(run.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(run.get("error_category").asText()).isEqualTo("INTERNAL");
        assertThat(run.get("sql_state").asText()).isEqualTo("42703");
        assertThat(run.has("error")).isFalse();
        assertThat(anonymous.getBody()).doesNotContain("secret_column", "payload-fragment", "SELECT");

        HttpHeaders json = new HttpHeaders();
        json.setAccept(List.of(MediaType.APPLICATION_JSON));
        ResponseEntity<String> refused = http.exchange("/actuator/syncruns", HttpMethod.GET, new HttpEntity<>(json),
                String.class);
        assertThat(refused.getStatusCode().value()).isEqualTo(401);
        assertThat(refused.getBody()).doesNotContain("secret_column");
        assertThat(http.withBasicAuth("viewer", "viewer-secret").exchange("/actuator/syncruns", HttpMethod.GET,
                new HttpEntity<>(json), String.class).getStatusCode().value()).isEqualTo(403);
        ResponseEntity<String> admin = http.withBasicAuth("admin", "admin-secret")
                .getForEntity("/actuator/syncruns?limit=1", String.class);
        assertThat(admin.getStatusCode().value()).isEqualTo(200);
        JsonNode detailed = SampleFrames.parse(admin.getBody()).get(0);
        assertThat(detailed.get("owner").asText()).isEqualTo(owner);
        assertThat(detailed.get("error_category").asText()).isEqualTo("INTERNAL");
        assertThat(detailed.get("error").asText()).contains("secret_column");
    }
}
