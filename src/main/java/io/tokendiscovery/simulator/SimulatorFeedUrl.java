package io.tokendiscovery.simulator;

import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.ingest.PumpPortalUrl;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Points the PumpPortal client at the built-in simulator when no feed URL is configured. Without a configured API
 * key, the simulator's dev key (not a secret) is added, so trade streams work in the developer run as they do with
 * a funded key; a configured key is sent by the client itself.
 */
@Component
public class SimulatorFeedUrl implements PumpPortalUrl {

    private final ObjectProvider<PumpPortalSimulator> simulator;
    private final SimulatorProperties properties;
    private final boolean clientHasKey;

    public SimulatorFeedUrl(ObjectProvider<PumpPortalSimulator> simulator, SimulatorProperties properties,
            TokenDiscoveryProperties app) {
        this.simulator = simulator;
        this.properties = properties;
        this.clientHasKey = app.pumpportal().hasApiKey();
    }

    @Override
    public String url() {
        PumpPortalSimulator running = simulator.getIfAvailable();
        if (running == null) {
            throw new IllegalStateException("tokendiscovery.pumpportal.url is blank and the simulator is disabled");
        }
        List<String> keys = properties.getApiKeys();
        return clientHasKey || keys == null || keys.isEmpty() ? running.url() : running.url() + "?api-key=" + keys.get(0);
    }
}
