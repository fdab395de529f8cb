package io.tokendiscovery.devservices;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Zero-setup rule: while no real server is configured, start an embedded Redis and an embedded PostgreSQL before
 * the context is refreshed and point {@code spring.data.redis.url} / {@code spring.datasource.url} at them.
 *
 * <p>Embedded Redis starts unless {@code spring.data.redis.url} or {@code spring.data.redis.host} is set (or
 * {@code tokendiscovery.embedded.redis.enabled=false}); embedded PostgreSQL starts unless
 * {@code spring.datasource.url} is set (or {@code tokendiscovery.embedded.postgres.enabled=false}). Both are stopped
 * after every other bean has been destroyed, so the final sync on shutdown still has its database.
 */
public class EmbeddedServersInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServersInitializer.class);
    static final String PROPERTY_SOURCE = "tokendiscoveryEmbeddedServers";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment env = context.getEnvironment();
        boolean redisWanted = wanted(env, "redis", "spring.data.redis.url", "spring.data.redis.host");
        boolean postgresWanted = wanted(env, "postgres", "spring.datasource.url");
        if (!redisWanted && !postgresWanted) {
            return;
        }
        EmbeddedDataDirectory dataDir = EmbeddedDataDirectory.from(env.getProperty("tokendiscovery.embedded.data-dir"));
        CompletableFuture<EmbeddedRedis> redis = redisWanted
                ? CompletableFuture.supplyAsync(() -> EmbeddedRedis.start(dataDir.resolve("redis")))
                : CompletableFuture.completedFuture(null);
        CompletableFuture<EmbeddedPostgresServer> postgres = postgresWanted
                ? CompletableFuture.supplyAsync(() -> EmbeddedPostgresServer.start(dataDir.resolve("postgres"),
                        dataDir.postgresBinaries()))
                : CompletableFuture.completedFuture(null);
        EmbeddedServers servers;
        try {
            servers = new EmbeddedServers(redis.join(), postgres.join(), dataDir);
        } catch (RuntimeException e) {
            redis.thenAccept(r -> { if (r != null) r.close(); });
            postgres.thenAccept(p -> { if (p != null) p.close(); });
            throw new IllegalStateException("Could not start the embedded servers: " + e.getMessage(), e);
        }

        Map<String, Object> props = new LinkedHashMap<>();
        if (servers.redis() != null) {
            props.put("spring.data.redis.url", servers.redis().url());
            log.info("Embedded Redis started at {} (data in {})", servers.redis().url(), servers.redis().directory());
        }
        if (servers.postgres() != null) {
            props.put("spring.datasource.url", servers.postgres().jdbcUrl());
            props.put("spring.datasource.username", EmbeddedPostgresServer.USER);
            props.put("spring.datasource.password", "");
            log.info("Embedded PostgreSQL started at {} (data in {})", servers.postgres().jdbcUrl(),
                    servers.postgres().directory());
        }
        env.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, props));

        // Registered first, so destroyed last: after Camel's final sync and the connection pools are gone.
        if (context.getBeanFactory() instanceof DefaultListableBeanFactory registry) {
            registry.registerSingleton("embeddedServers", servers);
            registry.registerDisposableBean("embeddedServers", servers);
        } else {
            Runtime.getRuntime().addShutdownHook(new Thread(servers::close, "embedded-servers-stop"));
        }
    }

    private static boolean wanted(ConfigurableEnvironment env, String name, String... realServerProperties) {
        String explicit = env.getProperty("tokendiscovery.embedded." + name + ".enabled");
        if (StringUtils.hasText(explicit)) {
            return Boolean.parseBoolean(explicit.trim());
        }
        for (String property : realServerProperties) {
            if (StringUtils.hasText(env.getProperty(property))) {
                return false;
            }
        }
        return true;
    }
}
