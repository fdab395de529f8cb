package io.tokendiscovery;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * External tools some tests drive (kubectl, promtool, Chromium). Locally a missing tool skips the check with a
 * message; in CI ({@code CI=true}, set by the CI runner for {@code .ci/run}, which installs every one of them) it
 * FAILS the test: a check that silently skips in CI is a check that never runs.
 */
public final class RequiredTools {

    private RequiredTools() {}

    /** The first of {@code fixed} that is executable, else {@code name} on the PATH. */
    public static Optional<Path> find(String name, Path... fixed) {
        Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank()).map(dir -> Path.of(dir, name));
        return Stream.concat(Stream.of(fixed), onPath).filter(Files::isExecutable).findFirst();
    }

    /** Skips (locally) or fails (in CI) when the tool is missing. */
    public static Path require(Optional<Path> tool, String missing) {
        if (tool.isEmpty()) {
            if (inCi()) {
                fail(missing + " — CI=true: .ci/run must install it; a test never skips in CI");
            }
            Assumptions.abort(missing + " (skipped locally; fails in CI)");
        }
        return tool.get();
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
