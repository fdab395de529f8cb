package io.tokendiscovery;

import io.lettuce.core.resource.Delay;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.autoconfigure.data.redis.ClientResourcesBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Process-wide infrastructure beans shared by every capability. */
@Configuration(proxyBeanMethods = false)
public class CoreConfiguration {

    /**
     * One Vert.x instance for the whole process: the PumpPortal client, the simulator and camel-vertx-websocket
     * (which picks up a {@link Vertx} bean from the registry) share its event loops.
     */
    @Bean(destroyMethod = "close")
    public Vertx vertx() {
        return Vertx.vertx();
    }

    /** Injected wherever time matters, so tests can control it. */
    @Bean
    public Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Lettuce reconnects a lost Redis connection with an exponential delay capped at 30 s, so after a Redis outage
     * the app could wait 30 s more before it notices Redis is back: capped at
     * {@code tokendiscovery.redis.reconnect-max-delay} (docs/operations.md#redis-outage).
     */
    @Bean
    public ClientResourcesBuilderCustomizer redisReconnectDelay(TokenDiscoveryProperties properties) {
        Duration max = properties.redis().reconnectMaxDelay();
        return builder -> builder.reconnectDelay(Delay.exponential(Duration.ofMillis(Math.min(100, max.toMillis())),
                max, 2, TimeUnit.MILLISECONDS));
    }
}
