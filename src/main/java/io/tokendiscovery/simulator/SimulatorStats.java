package io.tokendiscovery.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link PumpPortalSimulator}'s counters and the log of client messages: written on the event loop, read from any
 * thread.
 */
final class SimulatorStats {

    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger maxConcurrentConnections = new AtomicInteger();
    private final AtomicLong totalConnections = new AtomicLong();
    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong droppedFrames = new AtomicLong();
    private final AtomicLong rateLimitedMessages = new AtomicLong();
    private final AtomicLong errorFramesSent = new AtomicLong();
    private final AtomicLong unfundedRefusals = new AtomicLong();
    private final AtomicLong skippedFrames = new AtomicLong();
    private final List<String> receivedMessages = new ArrayList<>();

    void connectionOpened() {
        int open = openConnections.incrementAndGet();
        maxConcurrentConnections.accumulateAndGet(open, Math::max);
        totalConnections.incrementAndGet();
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
    }

    void frameSent() {
        framesSent.incrementAndGet();
    }

    void frameDropped() {
        droppedFrames.incrementAndGet();
    }

    void framesSkipped(long n) {
        skippedFrames.addAndGet(n);
    }

    void messageRateLimited() {
        rateLimitedMessages.incrementAndGet();
    }

    void errorFrameSent() {
        errorFramesSent.incrementAndGet();
    }

    void unfundedRefusal() {
        unfundedRefusals.incrementAndGet();
    }

    void messageReceived(String text) {
        synchronized (receivedMessages) {
            receivedMessages.add(text);
        }
    }

    List<String> receivedMessages() {
        synchronized (receivedMessages) {
            return new ArrayList<>(receivedMessages);
        }
    }

    void clearReceivedMessages() {
        synchronized (receivedMessages) {
            receivedMessages.clear();
        }
    }

    int openConnections() {
        return openConnections.get();
    }

    int maxConcurrentConnections() {
        return maxConcurrentConnections.get();
    }

    long totalConnections() {
        return totalConnections.get();
    }

    long framesSent() {
        return framesSent.get();
    }

    long droppedFrames() {
        return droppedFrames.get();
    }

    long skippedFrames() {
        return skippedFrames.get();
    }

    long rateLimitedMessages() {
        return rateLimitedMessages.get();
    }

    long errorFramesSent() {
        return errorFramesSent.get();
    }

    long unfundedRefusals() {
        return unfundedRefusals.get();
    }
}
