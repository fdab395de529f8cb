package io.tokendiscovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Every SQL statement of the application is a file under {@code tokendiscovery.sync.sql-directory} ({@code
 * routes/sql}), next to the routes, so an operator reads and changes them without recompiling; none is written in
 * Java. Routes run them with camel-sql ({@code sql:file:routes/sql/NAME.sql}); the few beans that need JDBC
 * themselves (the poison-row bisection, the write-through and replay writers, the admin endpoints) read them here.
 * A file is re-read when its modification time changes.
 *
 * <p>Files run by camel-sql write named parameters as {@code :#name}; {@link #named} hands the same text to
 * Spring's {@code NamedParameterJdbcTemplate}, which writes them {@code :name}, so one file serves both.
 */
@Component("sqlStatements")
public class SqlStatements {

    private final Path directory;
    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();

    public SqlStatements(TokenDiscoveryProperties properties) {
        this.directory = Path.of(properties.sync().sqlDirectory());
    }

    /** The statement in {@code file} (for example {@code select-token.sql}), as written. */
    public String sql(String file) {
        return loaded.compute(file, (name, previous) -> load(directory.resolve(name), previous)).sql();
    }

    /** The statement with camel-sql's {@code :#name} parameters written as Spring's {@code :name}. */
    public String named(String file) {
        return sql(file).replace(":#", ":");
    }

    private static Loaded load(Path path, Loaded previous) {
        try {
            FileTime modified = Files.getLastModifiedTime(path);
            if (previous != null && previous.modified().equals(modified)) {
                return previous;
            }
            return new Loaded(modified, Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the SQL file " + path.toAbsolutePath(), e);
        }
    }

    private record Loaded(FileTime modified, String sql) {}
}
