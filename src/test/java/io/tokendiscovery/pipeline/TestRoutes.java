package io.tokendiscovery.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** A private copy of routes/*.camel.yaml for a test that edits route files in a running app. */
final class TestRoutes {

    private TestRoutes() {}

    static void copyTo(Path directory) throws IOException {
        Files.createDirectories(directory);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(file, directory.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
