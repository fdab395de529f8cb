package io.tokendiscovery.ingest;

import io.tokendiscovery.cache.TokenUpdate;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultExchange;
import org.springframework.stereotype.Component;

/**
 * The ingest's split aggregation: collects the {@link TokenUpdate} each frame ended with into ONE
 * {@link IngestBatch}, in receive order (the split is sequential). A frame that ended otherwise (rejected and
 * dead-lettered by the frame pipeline's error handling, or a notice) adds nothing, and never fails the batch.
 */
@Component("ingestBatchCollector")
public class IngestBatchCollector implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        // The result is a fresh exchange, never a frame's own: a rejected frame's exchange carries its handled
        // error, and Camel copies the result back into the batch exchange, which would then stop routing (the batch
        // would never reach Redis).
        Exchange result = oldExchange;
        if (result == null) {
            result = new DefaultExchange(newExchange.getContext());
            result.getIn().setBody(new IngestBatch());
        }
        IngestBatch batch = result.getIn().getBody(IngestBatch.class);
        Message frame = newExchange.getIn();
        if (frame.getBody() instanceof TokenUpdate update && newExchange.getException() == null) {
            batch.add(new IngestBatch.Change(update,
                    newExchange.getProperty(RejectedFrames.RAW_FRAME, String.class),
                    frame.getHeader(PumpPortalHeaders.RECEIVE_SEQ, Long.class),
                    frame.getHeader(PumpPortalHeaders.RECEIVED_AT, Long.class),
                    frame.getHeader(PumpPortalHeaders.RECEIVED_NANOS, Long.class)));
        }
        return result;
    }
}
