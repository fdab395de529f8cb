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
 * new run must stop it before reusing the folder. The pid file's first line is the pid. Pids are reused, so the
 * process is stopped only if its executable is the expected server's: never an unrelated process that got the pid.
 */
final class StaleProcess {

    private static final Logger log = LoggerFactory.getLogger(StaleProcess.class);

    private StaleProcess() {}

    static void stopIfRunning(Path pidFile, String what, String executable) {
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        try {
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
            long pid = Long.parseLong(first);
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(command -> command.contains(executable)).orElse(false))
                    .ifPresent(p -> stop(p, what));
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            log.debug("Ignoring unreadable pid file {}", pidFile, e);
        }
    }

    private static void stop(ProcessHandle process, String what) {
        log.warn("Stopping a stale embedded {} (pid {}) left by an earlier run", what, process.pid());
        process.destroy();
        try {
            process.onExit().get(Duration.ofSeconds(15).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
        }
    }
}
