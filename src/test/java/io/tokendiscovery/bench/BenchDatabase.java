package io.tokendiscovery.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The database a benchmark runs against: its own embedded PostgreSQL (default), or an existing server given by
 * {@code -Dbench.jdbcUrl}. Either way the schema migrations are applied to a schema of its own
 * ({@code td_bench_<random>}), every connection has it as {@code currentSchema}, and the schema is dropped on close,
 * so an existing server is left as it was.
 */
final class BenchDatabase implements AutoCloseable {

    private final EmbeddedPostgres embedded;
    private final String url;
    private final String schema;
    private final Connection monitor;
    private final boolean canCheckpoint;

    private BenchDatabase(EmbeddedPostgres embedded, String url, String schema) throws SQLException {
        this.embedded = embedded;
        this.url = url;
        this.schema = schema;
        this.monitor = connect(false);
        this.canCheckpoint = probeCheckpoint();
    }

    /** @param externalUrl a PostgreSQL JDBC URL, or null/blank for an embedded server under target/bench */
    static BenchDatabase open(String externalUrl) throws SQLException {
        EmbeddedPostgres embedded = null;
        String url = externalUrl;
        if (url == null || url.isBlank()) {
            try {
                Path base = Files.createDirectories(Path.of("target", "bench", "embedded"));
                embedded = EmbeddedPostgres.builder()
                        .setOverrideWorkingDirectory(Files.createDirectories(base.resolve("bin")).toFile())
                        .setDataDirectory(base.resolve("data"))
                        .setCleanDataDirectory(true)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("Embedded PostgreSQL did not start", e);
            }
            url = embedded.getJdbcUrl("postgres", "postgres");
        }
        String schema = "td_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        PGSimpleDataSource flywaySource = new PGSimpleDataSource();
        flywaySource.setURL(url);
        flywaySource.setCurrentSchema(schema);
        Flyway.configure()
                .dataSource(flywaySource)
                .schemas(schema)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        BenchDatabase db = new BenchDatabase(embedded, url, schema);
        // Autovacuum off for the benchmark's own copies of the tables: a vacuum landing inside a timed run would add
        // its WAL and I/O to that run. The harness vacuums explicitly (untimed) before every UPDATE run instead.
        db.execute("ALTER TABLE token_discovery SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)");
        db.execute("ALTER TABLE sync_run SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)");
        return db;
    }

    boolean isEmbedded() {
        return embedded != null;
    }

    String schema() {
        return schema;
    }

    /** A plain pgjdbc connection (auto-commit on) on the benchmark schema. */
    Connection connect(boolean reWriteBatchedInserts) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("currentSchema", schema);
        if (reWriteBatchedInserts) {
            properties.setProperty("reWriteBatchedInserts", "true");
        }
        return DriverManager.getConnection(url, properties);
    }

    /** A HikariCP pool of one connection on the benchmark schema, as the application's DataSource is. */
    HikariDataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.addDataSourceProperty("currentSchema", schema);
        config.setMaximumPoolSize(1);
        config.setMinimumIdle(1);
        config.setPoolName("bench");
        return new HikariDataSource(config);
    }

    void execute(String sql) throws SQLException {
        try (Statement statement = monitor.createStatement()) {
            statement.execute(sql);
        }
    }

    String queryString(String sql) throws SQLException {
        try (Statement statement = monitor.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    long queryLong(String sql) throws SQLException {
        try (Statement statement = monitor.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Flushes dirty pages so every run starts right after a checkpoint (same full-page-image cost for all). */
    boolean checkpoint() throws SQLException {
        if (canCheckpoint) {
            execute("CHECKPOINT");
        }
        return canCheckpoint;
    }

    boolean canCheckpoint() {
        return canCheckpoint;
    }

    /**
     * The WAL insert position. Not {@code pg_current_wal_lsn()}: that is the position WAL has been WRITTEN up to,
     * which lags behind what was generated when commits do not wait for the flush ({@code synchronous_commit=off},
     * as on the embedded server), so differences of it under-count a run and give the rest to the next one.
     */
    String currentWalLsn() throws SQLException {
        return queryString("SELECT pg_current_wal_insert_lsn()::text");
    }

    long walBytesBetween(String before, String after) throws SQLException {
        return queryLong("SELECT pg_wal_lsn_diff('" + after + "'::pg_lsn, '" + before + "'::pg_lsn)::bigint");
    }

    /** Server version and the settings that matter for write cost, for the report header. */
    Map<String, String> serverSettings() throws SQLException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("server_version", queryString("SHOW server_version"));
        for (String name : new String[] {"shared_buffers", "synchronous_commit", "fsync", "full_page_writes",
                "wal_level", "wal_compression", "max_wal_size", "data_checksums"}) {
            settings.put(name, queryString("SHOW " + name));
        }
        return settings;
    }

    private boolean probeCheckpoint() {
        try {
            execute("CHECKPOINT");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            monitor.close();
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
