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
 * {@code pumpportal:<name>[?receiveQueueCapacity=N&maxBatch=M]}: a consumer-only endpoint delivering the PumpPortal
 * frames in receive order, as batches: the body is a {@code List<Message>} of the frames received since the last
 * batch (one when the feed is calm, up to {@code maxBatch} in a burst), each message a String body with
 * {@link PumpPortalHeaders} stamped at the socket. A {@code split} over the body gives one exchange per frame.
 */
@UriEndpoint(firstVersion = "4.17.0", scheme = "pumpportal", title = "PumpPortal", syntax = "pumpportal:name",
        consumerOnly = true, category = {Category.MESSAGING})
public class PumpPortalEndpoint extends DefaultEndpoint {

    private final PumpPortalClient client;

    @UriParam(description = "Frames received but not yet processed; above it the socket is paused. "
            + "0 = tokendiscovery.pumpportal.receive-queue-capacity")
    private int receiveQueueCapacity;

    @UriParam(description = "Most frames delivered in one batch. 0 = tokendiscovery.ingest.max-batch")
    private int maxBatch;

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

    public int getMaxBatch() {
        return maxBatch;
    }

    public void setMaxBatch(int maxBatch) {
        this.maxBatch = maxBatch;
    }
}
