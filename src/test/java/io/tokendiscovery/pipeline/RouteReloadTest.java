package io.tokendiscovery.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.ActiveProfiles;

/**
 * Operators change a flow by editing its YAML file: the running app picks it up without a restart, and the other
 * route files keep running (the remove-all-routes gotcha of STACK.md).
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
    "camel.main.routes-include-pattern=file:target/reload-test-routes/*.camel.yaml",
    "camel.main.routes-reload-enabled=true",
    "camel.main.routes-reload-directory=target/reload-test-routes",
    "tokendiscovery.simulator.frames-per-second=0"
})
@ActiveProfiles("test")
@ExtendWith(OutputCaptureExtension.class)
class RouteReloadTest {

    static final Path DIR = Path.of("target/reload-test-routes");

    @Autowired CamelContext camel;
    @Autowired ProducerTemplate producer;

    @BeforeAll
    static void copyRoutes() throws IOException {
        TestRoutes.copyTo(DIR);
    }

    @Test
    void editingARouteFileChangesTheRunningFlow(CapturedOutput output) throws IOException {
        int routes = camel.getRoutes().size();
        producer.requestBody("direct:redis-to-db-sync", (Object) null);
        assertThat(output.getOut()).contains("Completed batch sync from Redis to database: total=0");

        Path file = DIR.resolve("redis-to-db-sync.camel.yaml");
        String yaml = Files.readString(file);
        Files.writeString(file, yaml.replace("Completed batch sync from Redis to database", "Edited sync line"));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            producer.requestBody("direct:redis-to-db-sync", (Object) null);
            assertThat(output.getOut()).contains("Edited sync line: total=0");
        });
        assertThat(camel.getRoutes()).hasSize(routes);
        assertThat(camel.getRouteController().getRouteStatus("pumpportal-ingest").isStarted()).isTrue();
    }
}
