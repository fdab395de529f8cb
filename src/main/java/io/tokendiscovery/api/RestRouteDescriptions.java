package io.tokendiscovery.api;

import java.util.Locale;
import org.apache.camel.CamelContext;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.stereotype.Component;

/**
 * Gives the routes Camel builds from the REST DSL's verbs ({@code routes/token-api.camel.yaml}) the description their
 * verb declares, and their {@code rest:} input an id and a description, as every other route and step has them in
 * the YAML: the REST DSL has no field for either, so Hawtio showed these routes without a word. Runs for the routes
 * loaded at start and for those a live reload adds.
 */
@Component
public class RestRouteDescriptions implements CamelContextConfiguration, ModelLifecycleStrategy {

    @Override
    public void beforeApplicationStart(CamelContext camel) {
        ModelCamelContext model = (ModelCamelContext) camel;
        model.getRouteDefinitions().forEach(this::onAddRouteDefinition);
        model.addModelLifecycleStrategy(this);
    }

    @Override
    public void afterApplicationStart(CamelContext camel) {
        // nothing: routes added later are described as they are added
    }

    @Override
    public void onAddRouteDefinition(RouteDefinition route) {
        RestDefinition rest = route.getRestDefinition();
        if (rest == null || route.getRouteId() == null) {
            return;
        }
        for (VerbDefinition verb : rest.getVerbs()) {
            if (route.getRouteId().equals(verb.getId()) || route.getRouteId().equals(verb.getRouteId())) {
                String operation = verb.asVerb().toUpperCase(Locale.ROOT) + " " + path(rest.getPath(), verb.getPath());
                if (route.getDescription() == null) {
                    route.setDescription(operation + ": " + verb.getDescription());
                }
                FromDefinition from = route.getInput();
                if (from != null && !from.hasCustomIdAssigned()) {
                    from.setId(route.getRouteId() + "-rest");
                    from.setDescription("The request " + operation + " (REST DSL on the platform HTTP server)");
                }
                return;
            }
        }
    }

    private static String path(String base, String path) {
        return (base == null ? "" : base) + (path == null ? "" : path);
    }

    @Override
    public void onRemoveRouteDefinition(RouteDefinition route) {
        // nothing to undo
    }

    @Override
    public void onAddRouteTemplateDefinition(RouteTemplateDefinition template) {
        // not used
    }

    @Override
    public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition template) {
        // not used
    }
}
