package io.tokendiscovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/** The real defaults of application.yaml, bound without a Spring context, for unit tests. */
public final class TestProperties {

    private TestProperties() {}

    public static TokenDiscoveryProperties defaults() {
        return with(Map.of());
    }

    public static TokenDiscoveryProperties with(Map<String, Object> overrides) {
        try {
            StandardEnvironment env = new StandardEnvironment();
            env.getPropertySources().addFirst(new MapPropertySource("overrides", overrides));
            new YamlPropertySourceLoader()
                    .load("application.yaml", new ClassPathResource("application.yaml"))
                    .forEach(env.getPropertySources()::addLast);
            return new Binder(ConfigurationPropertySources.get(env), new PropertySourcesPlaceholdersResolver(env))
                    .bind("tokendiscovery", TokenDiscoveryProperties.class)
                    .get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
