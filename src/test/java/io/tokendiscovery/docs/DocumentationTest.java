package io.tokendiscovery.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Documentation that exists is true: every property and every route id is documented, and vice versa. */
class DocumentationTest {

    @Test
    void everyTokendiscoveryPropertyIsInTheConfigurationDoc() throws IOException {
        Map<String, Object> yaml = new Yaml().load(Files.readString(Path.of("src/main/resources/application.yaml")));
        List<String> properties = new ArrayList<>();
        flatten("tokendiscovery", yaml.get("tokendiscovery"), properties);
        String doc = Files.readString(Path.of("docs/configuration.md"));
        String simulatorDoc = Files.readString(Path.of("docs/simulator.md"));
        assertThat(properties).hasSizeGreaterThan(20).allSatisfy(p -> {
            if (p.startsWith("tokendiscovery.simulator.")) {
                assertThat(simulatorDoc).contains("| `" + p.substring("tokendiscovery.simulator.".length()) + "` |");
            } else {
                assertThat(doc).contains("`" + p + "`");
            }
        });

        Matcher documented = Pattern.compile("`(tokendiscovery\\.(?!simulator)[a-z0-9.-]+)`").matcher(doc);
        while (documented.find()) {
            String name = documented.group(1);
            if (!name.endsWith(".")) {
                assertThat(properties).as("documented property %s exists", name)
                        .anySatisfy(p -> assertThat(p).startsWith(name));
            }
        }
    }

    @Test
    void everyRouteIdIsInTheArchitectureDoc() throws IOException {
        String doc = Files.readString(Path.of("docs/architecture.md"));
        Pattern id = Pattern.compile("^    id: ([a-z0-9-]+)$", Pattern.MULTILINE);
        List<String> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Matcher m = id.matcher(Files.readString(file));
                while (m.find()) {
                    ids.add(m.group(1));
                }
                assertThat(doc).as("route file %s documented", file.getFileName()).contains(file.getFileName().toString());
            }
        }
        assertThat(ids).hasSizeGreaterThan(5).allSatisfy(routeId -> assertThat(doc).contains("`" + routeId + "`"));
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object node, List<String> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix + "." + k, v, out));
        } else {
            out.add(prefix);
        }
    }
}
