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

    public static EmbeddedRedis start(Path directory) {
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
            startRetryingBusyBinary(server);
            return new EmbeddedRedis(server, port, directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded Redis did not start", e);
        }
    }

    /**
     * The binary is unpacked just before it runs; a process forked at that moment by another thread (the embedded
     * PostgreSQL starts in parallel) can inherit the file's write handle, and exec then fails with ETXTBSY ("Text
     * file busy") until that child has exec'd. Retrying shortly after is the standard cure.
     */
    private static void startRetryingBusyBinary(RedisServer server) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                server.start();
                return;
            } catch (IOException e) {
                if (attempt >= 10 || !String.valueOf(causeMessages(e)).contains("Text file busy")) {
                    throw e;
                }
                try {
                    Thread.sleep(50L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static String causeMessages(Throwable e) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(' ');
        }
        return messages.toString();
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
