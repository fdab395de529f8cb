package io.tokendiscovery.devservices;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stale pid file stops the server it names, and never an unrelated process that reused the pid. */
class StaleProcessTest {

    @TempDir Path dir;

    @Test
    void onlyTheExpectedExecutableIsStopped() throws Exception {
        Process unrelated = new ProcessBuilder("sleep", "60").start();
        try {
            Path pidFile = dir.resolve("redis.pid");
            Files.writeString(pidFile, unrelated.pid() + "\n");
            StaleProcess.stopIfRunning(pidFile, "Redis", "redis-server");
            assertThat(unrelated.isAlive()).as("a process that is not redis-server survives").isTrue();
            assertThat(pidFile).doesNotExist();

            Files.writeString(pidFile, unrelated.pid() + "\n");
            StaleProcess.stopIfRunning(pidFile, "sleeper", "sleep");
            assertThat(unrelated.waitFor(15, TimeUnit.SECONDS)).as("the named executable is stopped").isTrue();
        } finally {
            unrelated.destroyForcibly();
        }
    }
}
