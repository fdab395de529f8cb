package io.tokendiscovery.ingest;

import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.LostFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands frames from the socket's event loop to ONE dispatcher thread through a bounded queue, so the route sees
 * them in receive order and slow Redis never blocks the event loop (pings keep flowing). When the queue fills up,
 * the socket is paused (TCP back-pressure) rather than frames dropped; it resumes below half full. On stop, frames
 * already received are processed before the thread exits.
 *
 * <p>The dispatcher hands the route everything queued at that moment, up to {@code maxBatch} frames, as ONE exchange
 * (body: {@code List<Message>}, one message per frame in receive order). It never waits to fill a batch: on a calm
 * feed each batch is one frame, so batching adds no latency; in a burst the per-exchange and per-round-trip costs are
 * paid once per batch instead of once per frame.
 *
 * <p>During a Redis outage the route holds its batch and retries (routes/error-handling.camel.yaml), so this thread
 * waits, the queue fills and the socket stays paused until Redis answers (docs/operations.md#redis-outage). A batch
 * whose error handling failed as well is counted in {@code tokendiscovery.ingest.frames.lost{reason=unhandled}}, and
 * frames still queued when a stop gives up waiting in {@code reason=shutdown_undrained}: never silently.
 *
 * <p>Before a batch is handed on, the client's {@link FeedFence} is asked: a batch is dropped (counted in
 * {@code tokendiscovery.pumpportal.fenced.frames}) if this process can no longer be sure it leads the feed, e.g. frames
 * that sat in the queue or the socket while the process was frozen and another replica took the Lease
 * (docs/operations.md#a-frozen-leader).
 */
public class PumpPortalConsumer extends DefaultConsumer {

    private static final Logger log = LoggerFactory.getLogger(PumpPortalConsumer.class);
    private static final Frame POISON = new Frame(null, false, 0, 0, 0);

    private final PumpPortalClient client;
    private final BlockingQueue<Frame> queue;
    private final int resumeBelow;
    private final int maxBatch;
    private final LostFrames lost;
    private volatile boolean paused;
    private ExecutorService dispatcher;

    public PumpPortalConsumer(PumpPortalEndpoint endpoint, Processor processor, PumpPortalClient client) {
        super(endpoint, processor);
        this.client = client;
        TokenDiscoveryProperties properties =
                endpoint.getCamelContext().getRegistry().findSingleByType(TokenDiscoveryProperties.class);
        int capacity = endpoint.getReceiveQueueCapacity() > 0
                ? endpoint.getReceiveQueueCapacity()
                : properties.pumpportal().receiveQueueCapacity();
        this.queue = new ArrayBlockingQueue<>(capacity + 1);
        this.maxBatch = Math.max(1,
                endpoint.getMaxBatch() > 0 ? endpoint.getMaxBatch() : properties.ingest().maxBatch());
        this.resumeBelow = Math.max(1, capacity / 2);
        this.lost = endpoint.getCamelContext().getRegistry().findSingleByType(LostFrames.class);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        dispatcher = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "pumpportal-dispatch");
        dispatcher.submit(this::dispatchLoop);
        client.start(this::enqueue);
    }

    @Override
    protected void doStop() throws Exception {
        client.stop();
        queue.put(POISON);
        dispatcher.shutdown();
        if (!dispatcher.awaitTermination(30, TimeUnit.SECONDS)) {
            log.warn("PumpPortal dispatcher did not drain within 30 s; {} frames unprocessed", queue.size());
            if (lost != null) {
                lost.lost(LostFrames.Reason.SHUTDOWN_UNDRAINED, (int) queue.stream().filter(f -> f != POISON).count(),
                        "the feed stopped while its batches could not be written (Redis unreachable?)");
            }
        }
        getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(dispatcher);
        super.doStop();
    }

    /** On the event loop: never blocks. The queue has one spare slot so the frame that trips the pause fits. */
    private void enqueue(String text, boolean binary, long seq, long receivedAt) {
        if (!queue.offer(new Frame(text, binary, seq, receivedAt, System.nanoTime()))) {
            // Only reachable if the socket delivered after pause() took effect; keep the frame, briefly block.
            try {
                queue.put(new Frame(text, binary, seq, receivedAt, System.nanoTime()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!paused && queue.remainingCapacity() <= 1) {
            paused = true;
            client.pauseReading();
        }
    }

    private void dispatchLoop() {
        List<Frame> batch = new ArrayList<>(maxBatch);
        while (true) {
            batch.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(batch, maxBatch - 1);
            if (paused && queue.size() < resumeBelow) {
                paused = false;
                client.resumeReading();
            }
            int poison = indexOfPoison(batch);
            if (poison >= 0) {
                if (poison > 0) {
                    process(batch.subList(0, poison));
                }
                return;
            }
            process(batch);
        }
    }

    /** By identity: the poison pill is one object, whatever a real frame's fields hold. */
    private static int indexOfPoison(List<Frame> batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i) == POISON) {
                return i;
            }
        }
        return -1;
    }

    private void process(List<Frame> frames) {
        if (!client.mayAct()) {
            client.countFencedFrames(frames.size());
            log.warn("Dropped {} PumpPortal frames: the feed leadership is no longer confirmed", frames.size());
            return;
        }
        Exchange exchange = createExchange(false);
        try {
            List<Message> messages = new ArrayList<>(frames.size());
            for (Frame frame : frames) {
                Message message = new DefaultMessage(exchange);
                message.setBody(frame.text());
                message.setHeader(PumpPortalHeaders.RECEIVE_SEQ, frame.seq());
                message.setHeader(PumpPortalHeaders.RECEIVED_AT, frame.receivedAt());
                message.setHeader(PumpPortalHeaders.RECEIVED_NANOS, frame.receivedNanos());
                if (frame.binary()) {
                    message.setHeader(PumpPortalHeaders.BINARY, true);
                }
                messages.add(message);
            }
            exchange.getIn().setBody(messages);
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        } finally {
            if (exchange.getException() != null) {
                getExceptionHandler().handleException("Error processing a batch of PumpPortal frames", exchange,
                        exchange.getException());
                if (lost != null) {
                    lost.lost(LostFrames.Reason.UNHANDLED, frames.size(), "the batch failed and its error handling "
                            + "failed too: " + exchange.getException());
                }
            }
            releaseExchange(exchange, false);
        }
    }

    private record Frame(String text, boolean binary, long seq, long receivedAt, long receivedNanos) {}
}
