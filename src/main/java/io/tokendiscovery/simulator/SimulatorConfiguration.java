package io.tokendiscovery.simulator;

import io.vertx.core.Vertx;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Starts the local PumpPortal simulator when {@code tokendiscovery.simulator.enabled=true}, or when that is not set
 * and no real feed is configured ({@code tokendiscovery.pumpportal.url} blank or absent): a zero-setup run then has a
 * feed to connect to. It shares the application's {@link Vertx}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SimulatorProperties.class)
public class SimulatorConfiguration {

    static final String ENABLED_PROPERTY = "tokendiscovery.simulator.enabled";
    static final String FEED_URL_PROPERTY = "tokendiscovery.pumpportal.url";

    @Bean(initMethod = "start", destroyMethod = "stop")
    @Conditional(SimulatorEnabledCondition.class)
    public PumpPortalSimulator pumpPortalSimulator(SimulatorProperties properties, Vertx vertx) {
        return new PumpPortalSimulator(properties, vertx);
    }

    /** On when enabled=true; off when enabled=false; when unset, on exactly when the feed URL is blank. */
    static class SimulatorEnabledCondition extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Environment env = context.getEnvironment();
            String enabled = env.getProperty(ENABLED_PROPERTY);
            if (StringUtils.hasText(enabled)) {
                return Boolean.parseBoolean(enabled.trim())
                        ? ConditionOutcome.match(ENABLED_PROPERTY + " is true")
                        : ConditionOutcome.noMatch(ENABLED_PROPERTY + " is " + enabled.trim());
            }
            String url = env.getProperty(FEED_URL_PROPERTY);
            return StringUtils.hasText(url)
                    ? ConditionOutcome.noMatch(ENABLED_PROPERTY + " unset and " + FEED_URL_PROPERTY + " is set")
                    : ConditionOutcome.match(ENABLED_PROPERTY + " unset and " + FEED_URL_PROPERTY + " is blank");
        }
    }
}
