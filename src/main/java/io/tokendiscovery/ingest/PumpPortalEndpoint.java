package io.tokendiscovery.ingest;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code pumpportal:<name>[?receiveQueueCapacity=N]}: a consumer-only endpoint delivering every PumpPortal frame
 * as a String body, in receive order, with {@link PumpPortalHeaders} stamped at the socket.
 */
@UriEndpoint(firstVersion = "4.17.0", scheme = "pumpportal", title = "PumpPortal", syntax = "pumpportal:name",
        consumerOnly = true, category = {Category.MESSAGING})
public class PumpPortalEndpoint extends DefaultEndpoint {

    private final PumpPortalClient client;

    @UriParam(description = "Frames received but not yet processed; above it the socket is paused. "
            + "0 = tokendiscovery.pumpportal.receive-queue-capacity")
    private int receiveQueueCapacity;

    public PumpPortalEndpoint(String uri, PumpPortalComponent component, PumpPortalClient client) {
        super(uri, component);
        this.client = client;
    }

    @Override
    public Producer createProducer() {
        throw new RuntimeCamelException("pumpportal: is consume-only; subscriptions are managed by the "
                + "tradeSubscriptions bean and sent by pumpPortalClient");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        PumpPortalConsumer consumer = new PumpPortalConsumer(this, processor, client);
        configureConsumer(consumer);
        return consumer;
    }

    public int getReceiveQueueCapacity() {
        return receiveQueueCapacity;
    }

    public void setReceiveQueueCapacity(int receiveQueueCapacity) {
        this.receiveQueueCapacity = receiveQueueCapacity;
    }
}
