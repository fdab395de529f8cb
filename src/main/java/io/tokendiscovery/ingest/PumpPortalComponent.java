package io.tokendiscovery.ingest;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.stereotype.Component;

/**
 * The {@code pumpportal:} Camel component, so the ingest route starts at the feed:
 * {@code from: pumpportal:feed}. It wraps the process's single {@link PumpPortalClient}.
 */
@Component("pumpportal")
public class PumpPortalComponent extends DefaultComponent {

    private final PumpPortalClient client;

    public PumpPortalComponent(PumpPortalClient client) {
        this.client = client;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        PumpPortalEndpoint endpoint = new PumpPortalEndpoint(uri, this, client);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
