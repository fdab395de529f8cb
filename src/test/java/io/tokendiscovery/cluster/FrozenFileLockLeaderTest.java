package io.tokendiscovery.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A frozen feed leader with the local election (Camel's file lock cluster service), two real app processes. The leader
 * is frozen with SIGSTOP for longer than the lock's heartbeat timeout (acquire-lock-interval 2 s x 5), so the standby
 * sees a stale leader and tries to take the lock; the lock is an OS (fcntl) lock that the stopped process keeps, so the
 * standby never connects. The fake PumpPortal must never see two connections, over the whole run; after SIGCONT the
 * old leader goes on (it never lost the lock) and the frames that waited in its socket are applied by it, the only
 * leader.
 *
 * <p>This test passes without the fence too: the file lock needs none (docs/operations.md#a-frozen-leader). It guards
 * the assumption the fence relies on for the file lock: were the lock ever taken from a stale but live holder (a
 * heartbeat-only lock, a lock on a network file system), a second connection would open while the leader is frozen,
 * and this test would fail. Measured: frozen 20 s (longer than the 10 s heartbeat timeout), no second connection, one
 * connection over the whole run, the 5 buffered frames applied after SIGCONT; about 126 s on 2 cores.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrozenFileLockLeaderTest {

    /** acquire-lock-interval (2 s) x Camel's heartbeat timeout multiplier (5), plus 5 s. */
    static final Duration FROZEN = Duration.ofSeconds(15);

    FrozenLeaderSupport cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new FrozenLeaderSupport("frozen-file-lock-test") {};
        String root = Files.createTempDirectory(cluster.work, "cluster").toAbsolutePath().toString();
        for (int i = 0; i < 2; i++) {
            cluster.launch(i, List.of(), Map.of("TOKENDISCOVERY_CLUSTER_ROOT", root));
        }
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.stopEverything();
        }
    }

    @Test
    void aFrozenFileLockLeaderIsNeverReplacedWhileFrozenAndGoesOnAlone() throws Exception {
        RecordingPumpPortal.Connection first = cluster.awaitOneSubscribedConnection(Duration.ofMinutes(3));
        FrozenLeaderSupport.App leader = leaderByLog();
        List<String> before = cluster.sendCreates(first, 3);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.inRedis(before).size() == 3);

        FrozenLeaderSupport.signal("STOP", leader);
        List<String> buffered = cluster.sendCreates(first, 5);
        await().during(FROZEN).atMost(FROZEN.plusSeconds(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.pumpPortal.connections().size() == 1);
        long continuedAt = System.nanoTime();
        FrozenLeaderSupport.signal("CONT", leader);

        // the old leader never lost the lock: it applies what waited in its socket and stays the only connection
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.inRedis(buffered).size() == 5);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.pumpPortal.open().equals(List.of(first)));
        System.out.printf("Frozen %d ms; connections over the run: %d; overlaps: %s%n",
                FrozenLeaderSupport.millisSince(continuedAt) + FROZEN.toMillis(),
                cluster.pumpPortal.connections().size(), cluster.pumpPortal.overlaps());
        assertThat(cluster.pumpPortal.overlaps()).as("two connections open at once, ever").isEmpty();
        assertThat(cluster.pumpPortal.connections()).containsExactly(first);
    }

    /** The app whose log says it connected to PumpPortal. */
    FrozenLeaderSupport.App leaderByLog() throws Exception {
        for (FrozenLeaderSupport.App app : cluster.apps) {
            String log = Files.readString(cluster.work.resolve("app-" + app.index() + ".log"));
            if (log.contains("Connected to PumpPortal")) {
                return app;
            }
        }
        throw new AssertionError("no app logged its connection to PumpPortal");
    }
}
