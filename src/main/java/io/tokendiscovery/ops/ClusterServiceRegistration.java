package io.tokendiscovery.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Registers the auto-configured cluster service (file lock or Kubernetes Lease) with the CamelContext before the
 * YAML routes are built: registered later, the {@code master:} endpoints fail with "No cluster service found"
 * (STACK.md gotcha 6).
 */
@Component
public class ClusterServiceRegistration implements CamelContextConfiguration {

    private final ObjectProvider<CamelClusterService> services;

    public ClusterServiceRegistration(ObjectProvider<CamelClusterService> services) {
        this.services = services;
    }

    @Override
    public void beforeApplicationStart(CamelContext camel) {
        services.orderedStream().filter(service -> !camel.hasService(service)).forEach(service -> {
            try {
                camel.addService(service);
            } catch (Exception e) {
                throw new IllegalStateException("Cannot register the cluster service " + service.getId(), e);
            }
        });
    }

    @Override
    public void afterApplicationStart(CamelContext camel) {
        // nothing: the master: consumers follow the leadership from here on
    }
}
