package io.tokendiscovery.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every {@code routes/*.camel.yaml} file validates against the JSON schema of the Camel YAML DSL, the one shipped
 * as {@code schema/camelYamlDsl.json} inside the camel-yaml-dsl jar of the pinned Camel version (read from the
 * classpath, so it can never go stale against the Camel the app runs). Visual route editors (Kaoto, Karavan) build
 * their forms from that schema; a file it rejects is one they cannot open or would rewrite.
 *
 * <p>Failed on the files as they were before issue 17: {@code error-handling.camel.yaml} (string numbers, number
 * delays, a {@code {{...}}} placeholder in the number field {@code maximumRedeliveries}), {@code
 * live-push.camel.yaml} ({@code constant: 20}, a number where an expression string is expected) and {@code
 * pumpportal-ingest.camel.yaml} ({@code streamCache: 'false'}, a string where a boolean is expected): 3 of the 14
 * files rejected.
 */
class RouteSchemaTest {

    private static final String SCHEMA = "schema/camelYamlDsl.json";

    private static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws IOException {
        // the jar the YAML routes loader comes from, not whatever else on the classpath has such a file
        try (InputStream in = YamlRoutesBuilderLoader.class.getClassLoader().getResourceAsStream(SCHEMA)) {
            assertThat(in).as(SCHEMA + " in camel-yaml-dsl").isNotNull();
            // the schema annotates deprecated options with "deprecated", a keyword draft 4 does not know
            JsonMetaSchema draft4 = JsonMetaSchema.builder(JsonMetaSchema.getV4())
                    .keyword(new NonValidationKeyword("deprecated"))
                    .build();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4, f -> f.metaSchema(draft4)).getSchema(in);
        }
    }

    @Test
    void everyRouteFileValidatesAgainstTheCamelYamlDslSchema() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(Path.of("routes"))) {
            files = list.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(10);
        List<String> errors = new ArrayList<>();
        YAMLMapper yaml = new YAMLMapper();
        for (Path file : files) {
            JsonNode routes = yaml.readTree(file.toFile());
            Set<ValidationMessage> messages = schema.validate(routes);
            messages.forEach(m -> errors.add(file.getFileName() + ": " + m.getMessage()));
        }
        assertThat(errors).as("schema errors").isEmpty();
    }

    @Test
    void theSchemaRejectsWhatEditorsCannotOpen() throws IOException {
        JsonNode bad = new YAMLMapper().readTree("""
                - route:
                    id: bad
                    streamCache: 'false'
                    from:
                      uri: direct:bad
                      steps:
                        - setHeader:
                            name: limit
                            constant: 20
                """);
        assertThat(schema.validate(bad)).hasSizeGreaterThanOrEqualTo(2);
    }
}
