package io.tokendiscovery.devservices;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.springframework.util.StringUtils;

/**
 * Where the embedded servers keep their data. A configured folder survives restarts (the developer's run keeps its
 * Redis AOF and PostgreSQL data, so a restart shows the write-behind recovering); a blank setting means a fresh
 * temporary folder deleted on close (tests).
 */
public record EmbeddedDataDirectory(Path root, boolean ephemeral) {

    public static EmbeddedDataDirectory from(String configured) {
        try {
            if (StringUtils.hasText(configured)) {
                return new EmbeddedDataDirectory(Files.createDirectories(Path.of(configured.trim())), false);
            }
            return new EmbeddedDataDirectory(Files.createTempDirectory("token-discovery-embedded-"), true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the embedded data directory " + configured, e);
        }
    }

    public Path resolve(String name) {
        try {
            return Files.createDirectories(root.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where the embedded PostgreSQL binaries are unpacked. zonky unpacks them once per JVM, into the folder given to
     * the first server, and starts and stops every later server of that JVM with this copy, so the folder must outlive
     * them all. A kept data folder holds it. A temporary one is deleted when its context closes while other contexts
     * of the JVM (cached test contexts) still need {@code pg_ctl} to stop their servers, so those share one folder in
     * the temp dir, kept across runs (zonky names its copy after the binaries' hash and locks it while unpacking).
     */
    public Path postgresBinaries() {
        Path binaries = ephemeral
                ? Path.of(System.getProperty("java.io.tmpdir"), "token-discovery-embedded-postgres-bin")
                : root.resolve("postgres-bin");
        try {
            return Files.createDirectories(binaries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void deleteIfEphemeral() {
        if (!ephemeral || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp folder left behind is harmless
        }
    }
}
