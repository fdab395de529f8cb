package io.tokendiscovery;

import io.vertx.core.Vertx;
import java.time.Clock;
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
}
