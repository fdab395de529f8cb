package io.tokendiscovery.ingest;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The PumpPortal client's queue of subscription messages: key lists chunked to the per-message limit, sent at most
 * {@code maxMessagesPerSecond} in any rate window. Confined to the client's Vert.x context.
 */
final class SubscriptionOutbox {

    /**
     * The limit is 200 messages a second as the server counts them; network jitter can squeeze two of our windows
     * closer together on arrival, so ours is 10 % wider.
     */
    static final long RATE_WINDOW_MILLIS = 1100;

    private final int maxKeysPerMessage;
    private final int maxMessagesPerSecond;
    private final Deque<String> queue = new ArrayDeque<>();
    /** When the messages of the current window went out (they count against the limit across connections too). */
    private final Deque<Long> sentAt = new ArrayDeque<>();

    SubscriptionOutbox(int maxKeysPerMessage, int maxMessagesPerSecond) {
        this.maxKeysPerMessage = maxKeysPerMessage;
        this.maxMessagesPerSecond = maxMessagesPerSecond;
    }

    /** Forgets what is not sent yet (the window's history stays: the server remembers it too). */
    void clear() {
        queue.clear();
    }

    void add(String message) {
        queue.add(message);
    }

    /** Queues {@code {"method":method,"keys":[...]}} messages of at most {@code maxKeysPerMessage} keys each. */
    void addKeys(String method, List<String> keys) {
        for (int from = 0; from < keys.size(); from += maxKeysPerMessage) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + maxKeysPerMessage));
            StringBuilder json = new StringBuilder(chunk.size() * 48 + 48)
                    .append("{\"method\":\"").append(method).append("\",\"keys\":[");
            for (int i = 0; i < chunk.size(); i++) {
                json.append(i == 0 ? "\"" : ",\"").append(chunk.get(i)).append('"');
            }
            queue.add(json.append("]}").toString());
        }
    }

    /**
     * Writes as many queued messages as the rate window allows at {@code now}; returns -1 when the queue is empty,
     * otherwise the milliseconds until the next one may go.
     */
    long send(Consumer<String> writer, long now) {
        while (!sentAt.isEmpty() && now - sentAt.peekFirst() >= RATE_WINDOW_MILLIS) {
            sentAt.pollFirst();
        }
        while (!queue.isEmpty() && sentAt.size() < maxMessagesPerSecond) {
            writer.accept(queue.pollFirst());
            sentAt.addLast(now);
        }
        if (queue.isEmpty()) {
            return -1;
        }
        return Math.max(1, RATE_WINDOW_MILLIS - (now - sentAt.peekFirst()));
    }
}
