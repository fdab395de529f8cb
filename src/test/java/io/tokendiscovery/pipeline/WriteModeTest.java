package io.tokendiscovery.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tokendiscovery.cache.RedisKeys;
import io.tokendiscovery.ingest.PumpPortalHeaders;
import io.tokendiscovery.ingest.ReceiveClock;
import io.tokendiscovery.ingest.TestFrames;
import io.tokendiscovery.sync.WriteMode;
import io.tokendiscovery.sync.WriteThroughGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * The emergency rollback, end to end in both modes: frames through the ingest route, rows in PostgreSQL. Here the
 * mode is switched through its file default (routes/write-mode.camel.yaml edited in the running app, live reload: the
 * development path, and what applies while no ADMIN set a shared mode); the production switch shared by every replica
 * is checked in HawtioConsoleBrowserTest.
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "camel.main.routes-include-pattern=file:target/write-mode-test-routes/*.camel.yaml",
    "camel.main.routes-reload-enabled=true",
    "camel.main.routes-reload-directory=target/write-mode-test-routes",
    "tokendiscovery.simulator.frames-per-second=0",
    "tokendiscovery.pricing.sol-usd=150"
})
@ActiveProfiles("test")
@ExtendWith(OutputCaptureExtension.class)
class WriteModeTest {

    static final Path DIR = Path.of("target/write-mode-test-routes");
    static final Path SWITCH = DIR.resolve("write-mode.camel.yaml");
    private static final AtomicLong SALT = new AtomicLong(70_000);

    @Autowired ProducerTemplate producer;
    @Autowired WriteMode writeMode;
    @Autowired WriteThroughGate gate;
    @Autowired JdbcTemplate jdbc;
    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    private final ReceiveClock receiveClock = new ReceiveClock(Clock.systemUTC());
    private final long salt = SALT.addAndGet(100);
    private long signatures;

    @BeforeAll
    static void copyRoutes() throws IOException {
        TestRoutes.copyTo(DIR);
    }

    @AfterEach
    void backToWriteBehind() throws IOException {
        switchTo("\"{{tokendiscovery.write-mode}}\"");
        await().atMost(Duration.ofSeconds(30)).until(() -> !writeMode.isWriteThrough());
        // a write-through failure pauses write-through for the cool-down: let it pass before the next test
        await().atMost(Duration.ofSeconds(30)).until(() -> !gate.isOpen());
    }

    /** Write-through is asynchronous (a writer thread, never the ingest's): the row follows within moments. */
    private void awaitRow(String mint, long trades) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(row(mint)).containsEntry("trade_count", trades).containsEntry("version", redisVersion(mint)));
    }

    private void switchTo(String value) throws IOException {
        String yaml = Files.readString(Path.of("routes/write-mode.camel.yaml"));
        Files.writeString(SWITCH, yaml.replace("constant: \"{{tokendiscovery.write-mode}}\"", "constant: " + value));
    }

    private void trade(String mint, double sol) {
        double vSol = 40 + sol;
        // a batch of one frame, as the pumpportal: consumer delivers it
        Message frame = new DefaultMessage(producer.getCamelContext());
        frame.setBody(TestFrames.trade(mint, TestFrames.signature(++signatures, salt), true, sol, 1000, vSol,
                30 * 1_073_000_000d / vSol));
        frame.setHeader(PumpPortalHeaders.RECEIVE_SEQ, receiveClock.next());
        frame.setHeader(PumpPortalHeaders.RECEIVED_AT, System.currentTimeMillis());
        producer.sendBody("direct:ingest-batch", List.of(frame));
    }

    private Map<String, Object> row(String mint) {
        return jdbc.queryForList("SELECT trade_count, version FROM token_discovery WHERE mint = ?", mint)
                .stream().findFirst().orElse(null);
    }

    private long redisVersion(String mint) {
        return Long.parseLong((String) redis.opsForHash().get(keys.token(mint), "version"));
    }

    @Test
    void writeBehindWritesOnlyOnSync() {
        String mint = TestFrames.key32(1, salt);
        trade(mint, 1.0);
        trade(mint, 1.0);
        assertThat(row(mint)).as("no row before the sync").isNull();
        producer.requestBody("direct:redis-to-db-sync", (Object) null);
        assertThat(row(mint)).containsEntry("trade_count", 2L).containsEntry("version", redisVersion(mint));
    }

    @Test
    void editingTheSwitchFileRollsBackToWriteThroughAndForward(CapturedOutput output) throws IOException {
        assertThat(writeMode.isWriteThrough()).isFalse();
        switchTo("write-through");
        await().atMost(Duration.ofSeconds(30)).until(writeMode::isWriteThrough);
        assertThat(output.getOut()).contains("Write mode is now write-through (was write-behind)");

        // every swap reaches PostgreSQL at once (off the ingest thread), no sync needed
        String mint = TestFrames.key32(2, salt);
        trade(mint, 1.0);
        awaitRow(mint, 1);
        trade(mint, 0.5);
        awaitRow(mint, 2);
        // the sync keeps running as a safety net and finds nothing newer to write
        producer.requestBody("direct:redis-to-db-sync", (Object) null);
        assertThat(row(mint)).containsEntry("trade_count", 2L);

        switchTo("write-behind");
        await().atMost(Duration.ofSeconds(30)).until(() -> !writeMode.isWriteThrough());
        assertThat(output.getOut()).contains("Write mode is now write-behind (was write-through)");
        trade(mint, 0.5);
        assertThat(row(mint)).as("write-behind again: the row waits for the sync").containsEntry("trade_count", 2L);
        producer.requestBody("direct:redis-to-db-sync", (Object) null);
        assertThat(row(mint)).containsEntry("trade_count", 3L).containsEntry("version", redisVersion(mint));
    }

    @Test
    void aFailedWriteThroughNeverStopsTheIngestAndTheSyncCatchesUp() throws IOException {
        switchTo("write-through");
        await().atMost(Duration.ofSeconds(30)).until(writeMode::isWriteThrough);
        String mint = TestFrames.key32(3, salt);
        trade(mint, 1.0);
        awaitRow(mint, 1);
        // the database refuses writes to this row for a moment (e.g. a lock timeout, an outage)
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION refuse_write() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'database unavailable' USING ERRCODE = '57P01'; END $$ LANGUAGE plpgsql;
                CREATE TRIGGER refuse_write BEFORE UPDATE ON token_discovery FOR EACH ROW EXECUTE FUNCTION refuse_write();
                """);
        try {
            trade(mint, 1.0);
            // the writer's upsert fails (counted, logged) and pauses write-through; the ingest went on
            await().atMost(Duration.ofSeconds(15)).until(gate::isOpen);
            assertThat(row(mint)).containsEntry("trade_count", 1L);
            assertThat(redis.opsForHash().get(keys.token(mint), "trade_count")).isEqualTo("2");
        } finally {
            jdbc.execute("DROP TRIGGER refuse_write ON token_discovery");
        }
        producer.requestBody("direct:redis-to-db-sync", (Object) null);
        assertThat(row(mint)).containsEntry("trade_count", 2L).containsEntry("version", redisVersion(mint));
    }
}
