package io.tokendiscovery.devservices;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import redis.clients.jedis.Jedis;

/** The zero-setup switch: embedded servers start only while no real server is configured. */
class EmbeddedServersInitializerTest {

    private GenericApplicationContext context(Map<String, Object> properties) {
        GenericApplicationContext context = new GenericApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", properties));
        new EmbeddedServersInitializer().initialize(context);
        return context;
    }

    @Test
    void configuredUrlsSwitchTheEmbeddedServersOff() {
        GenericApplicationContext context = context(Map.of(
                "spring.datasource.url", "jdbc:postgresql://db.example:5432/tokens",
                "spring.data.redis.url", "redis://redis.example:6379"));
        assertThat(context.getBeanFactory().containsSingleton("embeddedServers")).isFalse();
        assertThat(context.getEnvironment().getProperty("spring.datasource.url"))
                .isEqualTo("jdbc:postgresql://db.example:5432/tokens");
    }

    @Test
    void withoutUrlsBothStartAndAreStoppedWithTheContext() throws Exception {
        GenericApplicationContext context = context(Map.of("tokendiscovery.embedded.data-dir", ""));
        context.refresh();
        String jdbcUrl = context.getEnvironment().getProperty("spring.datasource.url");
        String redisUrl = context.getEnvironment().getProperty("spring.data.redis.url");
        assertThat(jdbcUrl).startsWith("jdbc:postgresql://localhost:");
        assertThat(redisUrl).startsWith("redis://127.0.0.1:");
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                ResultSet rs = connection.createStatement().executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
        int port = Integer.parseInt(redisUrl.substring(redisUrl.lastIndexOf(':') + 1));
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
        EmbeddedServers servers = context.getBean(EmbeddedServers.class);
        context.close();
        assertThat(servers.dataDir().root()).doesNotExist();
    }

    @Test
    void onlyTheUnconfiguredServerIsEmbedded() {
        GenericApplicationContext context = context(Map.of(
                "spring.datasource.url", "jdbc:postgresql://db.example:5432/tokens",
                "tokendiscovery.embedded.data-dir", ""));
        try {
            EmbeddedServers servers = (EmbeddedServers) context.getBeanFactory().getSingleton("embeddedServers");
            assertThat(servers.postgres()).isNull();
            assertThat(servers.redis()).isNotNull();
            assertThat(context.getEnvironment().getProperty("spring.datasource.url"))
                    .isEqualTo("jdbc:postgresql://db.example:5432/tokens");
        } finally {
            ((EmbeddedServers) context.getBeanFactory().getSingleton("embeddedServers")).close();
        }
    }
}
