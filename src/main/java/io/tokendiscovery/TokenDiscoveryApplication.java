package io.tokendiscovery;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class TokenDiscoveryApplication {

    public static void main(String[] args) {
        SpringApplication.run(TokenDiscoveryApplication.class, args);
    }
}
