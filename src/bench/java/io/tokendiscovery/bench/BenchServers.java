package io.tokendiscovery.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * The PostgreSQL and Redis one benchmark run writes to. By default a fresh embedded PostgreSQL 14 and redis-server
 * 6.2 per run (under {@code target/bench/servers}), configured like a production server: {@code fsync} and
 * {@code synchronous_commit} on (zonky's defaults turn them off), {@code pg_stat_statements} loaded, Redis with AOF
 * every second. With {@code -Dbench.jdbcUrl} / {@code -Dbench.redisUrl} the given servers are used instead: the run
 * gets a schema of its own ({@code currentSchema}) and a key prefix of its own, and drops the schema at the end.
 */
final class BenchServers implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final RedisServer redis;
    private final String baseJdbcUrl;
    private final String redisUrl;
    private final String schema;
    private final String keyPrefix;

    private BenchServers(EmbeddedPostgres postgres, RedisServer redis, String baseJdbcUrl, String redisUrl,
            String schema, String keyPrefix) {
        this.postgres = postgres;
        this.redis = redis;
        this.baseJdbcUrl = baseJdbcUrl;
        this.redisUrl = redisUrl;
        this.schema = schema;
        this.keyPrefix = keyPrefix;
    }

    /** @param checkpointTimeout the embedded server's checkpoint_timeout (scaled with the sync interval) */
    static BenchServers start(BenchSettings settings, Duration checkpointTimeout) throws Exception {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Path base = Files.createDirectories(settings.out().resolve("servers").toAbsolutePath());
        EmbeddedPostgres postgres = null;
        String jdbc = settings.jdbcUrl();
        if (jdbc.isBlank()) {
            Path data = base.resolve("pg-data");
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(Files.createDirectories(base.resolve("pg-bin")).toFile())
                    .setDataDirectory(data)
                    .setCleanDataDirectory(true)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                    .setServerConfig("pg_stat_statements.track", "all")
                    .setServerConfig("checkpoint_timeout", Math.max(30, checkpointTimeout.toSeconds()) + "s")
                    .setServerConfig("max_connections", "100");
            // -Dbench.pgSettings=wal_compression=on,... : extra server settings, e.g. to measure a tuning
            settings.pgSettings().forEach(builder::setServerConfig);
            postgres = builder.start();
            jdbc = postgres.getJdbcUrl("postgres", "postgres");
        }
        RedisServer redis = null;
        String redisUrl = settings.redisUrl();
        if (redisUrl.isBlank()) {
            int port = freePort();
            Path dir = Files.createDirectories(base.resolve("redis-" + id));
            redis = RedisServer.newRedisServer()
                    .executableProvider(ExecutableProvider.newJarResourceProvider(
                            Files.createDirectories(base.resolve("redis-bin")).toFile()))
                    .bind("127.0.0.1")
                    .port(port)
                    .setting("dir " + dir)
                    .setting("appendonly yes")
                    .setting("appendfsync everysec")
                    .setting("save \"\"")
                    .setting("daemonize no")
                    .build();
            redis.start();
            redisUrl = "redis://127.0.0.1:" + port + "/0";
        }
        String schema = "td_bench_" + id;
        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            try {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            } catch (SQLException e) {
                System.out.println("pg_stat_statements not available: " + e.getMessage());
            }
        }
        return new BenchServers(postgres, redis, jdbc, redisUrl, schema, "tdb" + id + ":");
    }

    boolean embeddedRedis() {
        return redis != null;
    }

    boolean embeddedPostgres() {
        return postgres != null;
    }

    /** The JDBC URL of the run's schema (as the app gets it). */
    String jdbcUrl() {
        return baseJdbcUrl + (baseJdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** The server's URL without the run's schema (for a benchmark schema of its own). */
    String baseJdbcUrl() {
        return baseJdbcUrl;
    }

    String schema() {
        return schema;
    }

    String redisUrl() {
        return redisUrl;
    }

    String redisHost() {
        return java.net.URI.create(redisUrl).getHost();
    }

    int redisPort() {
        return java.net.URI.create(redisUrl).getPort();
    }

    int redisDatabase() {
        String path = java.net.URI.create(redisUrl).getPath();
        return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
    }

    String keyPrefix() {
        return keyPrefix;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    @Override
    public void close() throws Exception {
        try (Connection c = DriverManager.getConnection(baseJdbcUrl); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            System.out.println("Could not drop schema " + schema + ": " + e.getMessage());
        }
        if (redis != null) {
            redis.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
