package io.tokendiscovery.devservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A previous run killed with {@code kill -9} leaves its embedded server running on the persistent data folder; the
 * new run must stop it before reusing the folder. The pid file's first line is the pid.
 */
final class StaleProcess {

    private static final Logger log = LoggerFactory.getLogger(StaleProcess.class);

    private StaleProcess() {}

    static void stopIfRunning(Path pidFile, String what) {
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        try {
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
            long pid = Long.parseLong(first);
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(p -> {
                log.warn("Stopping a stale embedded {} (pid {}) left by an earlier run", what, pid);
                p.destroy();
                try {
                    p.onExit().get(Duration.ofSeconds(15).toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            log.debug("Ignoring unreadable pid file {}", pidFile, e);
        }
    }
}
