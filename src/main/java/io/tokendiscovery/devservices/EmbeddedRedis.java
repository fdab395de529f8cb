package io.tokendiscovery.devservices;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * redis-server 6.2 from the embedded-redis jar, bound to loopback on a free port, with AOF on (fsync every second)
 * so a restart of the developer's run keeps unsynced changes, as a production Redis must.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private final RedisServer server;
    private final int port;
    private final Path directory;

    private EmbeddedRedis(RedisServer server, int port, Path directory) {
        this.server = server;
        this.port = port;
        this.directory = directory;
    }

    static EmbeddedRedis start(Path directory) {
        Path pidFile = directory.resolve("redis.pid");
        StaleProcess.stopIfRunning(pidFile, "Redis");
        int port = FreePort.find();
        try {
            Path binaries = Files.createDirectories(directory.resolve("bin"));
            RedisServer server = RedisServer.newRedisServer()
                    .executableProvider(ExecutableProvider.newJarResourceProvider(binaries.toFile()))
                    .bind("127.0.0.1")
                    .port(port)
                    .setting("dir " + directory.toAbsolutePath())
                    .setting("appendonly yes")
                    .setting("appendfsync everysec")
                    .setting("save \"\"")
                    .setting("pidfile " + pidFile.toAbsolutePath())
                    .setting("daemonize no")
                    .build();
            server.start();
            return new EmbeddedRedis(server, port, directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded Redis did not start", e);
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
