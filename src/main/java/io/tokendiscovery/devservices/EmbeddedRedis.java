package io.tokendiscovery.devservices;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.embedded.core.ExecutableProvider;

/**
 * redis-server 6.2 from the embedded-redis jar, bound to loopback on a free port, with AOF on (fsync every second)
 * so a restart of the developer's run keeps unsynced changes, as a production Redis must. The jar only provides the
 * binary: this class runs the process itself, because the library's own start registers a JVM shutdown hook that
 * kills Redis at the first signal, before the application's final sync on shutdown could write to it. Here Redis is
 * stopped by {@link EmbeddedServers}, after every other bean.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private final ProcessBuilder builder;
    private final int port;
    private final Path directory;
    private volatile Process process;

    private EmbeddedRedis(ProcessBuilder builder, Process process, int port, Path directory) {
        this.builder = builder;
        this.process = process;
        this.port = port;
        this.directory = directory;
    }

    public static EmbeddedRedis start(Path directory) {
        Path pidFile = directory.resolve("redis.pid");
        StaleProcess.stopIfRunning(pidFile, "Redis", "redis-server");
        int port = FreePort.find();
        try {
            Path binaries = Files.createDirectories(directory.resolve("bin"));
            String binary = ExecutableProvider.newJarResourceProvider(binaries.toFile()).get().getAbsolutePath();
            ProcessBuilder builder = new ProcessBuilder(List.of(binary,
                    "--bind", "127.0.0.1", "--port", Integer.toString(port),
                    "--dir", directory.toAbsolutePath().toString(),
                    "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                    "--pidfile", pidFile.toAbsolutePath().toString(), "--daemonize", "no"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("redis.log").toFile()));
            Process process = startRetryingBusyBinary(builder);
            awaitPort(process, port);
            return new EmbeddedRedis(builder, process, port, directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded Redis did not start", e);
        }
    }

    private static void awaitPort(Process process, int port) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + " (see redis.log)");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while waiting for Redis", e);
                }
            }
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not listen on port " + port + " within 30 s");
    }

    /**
     * The binary is unpacked just before it runs; a process forked at that moment by another thread (the embedded
     * PostgreSQL starts in parallel) can inherit the file's write handle, and exec then fails with ETXTBSY ("Text
     * file busy") until that child has exec'd. Retrying shortly after is the standard cure.
     */
    private static Process startRetryingBusyBinary(ProcessBuilder builder) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return builder.start();
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

    /** Whether redis-server is running (false between {@link #stop()} and {@link #restart()}). */
    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * Stops redis-server as {@link #close()} does (SIGTERM: Redis appends what is left to its AOF and exits), keeping
     * its folder and port for {@link #restart()}. Used by the tests that take Redis away under a running app.
     */
    public synchronized void stop() {
        close();
    }

    /**
     * Starts redis-server again on the same port with the same folder, so it loads its AOF: the clients' reconnects
     * find the same data. Returns once the port accepts connections.
     */
    public synchronized void restart() {
        if (process.isAlive()) {
            return;
        }
        try {
            Process started = startRetryingBusyBinary(builder);
            awaitPort(started, port);
            process = started;
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded Redis did not restart on port " + port, e);
        }
    }

    /** SIGTERM (Redis flushes its AOF and exits), then waits; killed if it takes longer than 10 s. */
    @Override
    public void close() {
        Process process = this.process;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
