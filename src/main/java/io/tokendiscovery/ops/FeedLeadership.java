package io.tokendiscovery.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Whether this replica leads the cluster namespace {@value #NAMESPACE}: the one that holds the PumpPortal connection
 * and runs the periodic jobs (their routes start from {@code master:feed:...}). Gauge
 * {@code tokendiscovery.cluster.leader}: 1 on the leader, 0 on standbys; the sum over replicas must be 1.
 */
@Component("feedLeadership")
public class FeedLeadership {

    public static final String NAMESPACE = "feed";

    private final ObjectProvider<CamelClusterService> services;
    private volatile CamelClusterView view;

    public FeedLeadership(ObjectProvider<CamelClusterService> services, MeterRegistry meters) {
        this.services = services;
        Gauge.builder("tokendiscovery.cluster.leader", this, l -> l.isLeader() ? 1 : 0)
                .description("1 on the replica holding the PumpPortal feed and running the periodic jobs, 0 on standbys")
                .register(meters);
    }

    public boolean isLeader() {
        CamelClusterView current = view;
        if (current == null) {
            CamelClusterService service = services.orderedStream().findFirst().orElse(null);
            if (!(service instanceof org.apache.camel.support.service.BaseService started) || !started.isStarted()) {
                return false;
            }
            try {
                current = ((CamelClusterService) started).getView(NAMESPACE);
            } catch (Exception e) {
                return false;
            }
            view = current;
        }
        return current.getLocalMember().isLeader();
    }
}
