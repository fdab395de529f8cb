package io.tokendiscovery.cluster;

import io.tokendiscovery.TestPorts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An embedded PostgreSQL (zonky binaries, as {@code EmbeddedPostgresServer}) that can be stopped and started again
 * on the SAME port and data folder, so running apps see an outage and then the same server back.
 * {@code EmbeddedPostgresServer} picks a new free port on every start, which the apps' JDBC URL would not follow.
 */
final class RestartablePostgres implements AutoCloseable {

    private final Path data;
    private final Path binaries;
    private final int port;
    private EmbeddedPostgres postgres;

    RestartablePostgres(Path directory, Path binaries) {
        this.data = directory.resolve("data");
        this.binaries = binaries;
        this.port = TestPorts.free();
    }

    synchronized void start() throws IOException {
        if (postgres != null) {
            return;
        }
        postgres = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(binaries.toFile())
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "100")
                .setRegisterShutdownHook(true)
                .start();
    }

    /** pg_ctl stop (fast): every connection is cut, new ones are refused until {@link #start()}. */
    synchronized void stop() throws IOException {
        if (postgres != null) {
            try {
                postgres.close();
            } finally {
                postgres = null;
            }
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
