package io.tokendiscovery.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The application under test as its own process ({@code java -jar} of the Spring Boot jar, working directory = the
 * project, so {@code routes/} is the real one), configured only through {@code --property=value} arguments. Its
 * output goes to a log file; {@link #pid()} is what {@link ProcessStats} reads.
 */
final class AppProcess implements AutoCloseable {

    private final Process process;
    private final int httpPort;
    private final int livePort;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AppProcess(Process process, int httpPort, int livePort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.livePort = livePort;
        this.log = log;
    }

    static AppProcess start(BenchSettings settings, Map<String, String> properties, Path log) throws Exception {
        int httpPort = BenchServers.freePort();
        int livePort = BenchServers.freePort();
        Map<String, String> all = new TreeMap<>(properties);
        all.put("server.port", Integer.toString(httpPort));
        all.put("tokendiscovery.live.port", Integer.toString(livePort));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (!settings.appJvmArgs().isBlank()) {
            command.addAll(Arrays.asList(settings.appJvmArgs().trim().split("\\s+")));
        }
        command.add("-jar");
        command.add(settings.appJar().toAbsolutePath().toString());
        all.forEach((key, value) -> command.add("--" + key + "=" + value));
        Files.createDirectories(log.getParent());
        Files.writeString(log.resolveSibling(log.getFileName() + ".command"), String.join(" \\\n    ", command) + "\n");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // No environment variable may switch servers or the feed behind the harness's back.
        builder.environment().keySet().removeIf(k -> k.startsWith("SPRING_") || k.startsWith("TOKENDISCOVERY_")
                || k.startsWith("PUMPPORTAL_") || k.equals("PORT") || k.equals("LIVE_PORT"));
        AppProcess app = new AppProcess(builder.start(), httpPort, livePort, log);
        try {
            app.awaitReady(Duration.ofSeconds(300));
        } catch (Exception | Error e) {
            app.close();
            throw e;
        }
        return app;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The app exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/actuator/health/readiness"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("The app was not ready within " + timeout + "; see " + log);
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    int httpPort() {
        return httpPort;
    }

    int livePort() {
        return livePort;
    }

    String get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGTERM (graceful: final sync), then SIGKILL after 40 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
