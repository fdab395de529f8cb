package io.tokendiscovery.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * PumpPortal's request protocol as the simulator speaks it: parses a client's text message, enforces the documented
 * limits and the funded-key rule, updates the connection's subscriptions and answers with the feed's acks, notices
 * and {@code errors} frames. Event loop only.
 */
final class SimulatorProtocol {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final SimulatorStats stats;

    SimulatorProtocol(SimulatorStats stats) {
        this.stats = stats;
    }

    /** Handles one text message from {@code c}. */
    void onText(SimulatorConnection c, String text) {
        stats.messageReceived(text);
        if (!c.admit(System.nanoTime())) {
            stats.messageRateLimited();
            sendError(c, "Rate limit exceeded: at most " + PumpPortalSimulator.MAX_MESSAGES_PER_SECOND
                    + " subscription messages per second");
            return;
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (IOException e) {
            sendError(c, "Invalid message: not JSON");
            return;
        }
        if (node == null || !node.isObject()) {
            sendError(c, "Invalid message: expected a JSON object with a 'method'");
            return;
        }
        JsonNode methodNode = node.get("method");
        if (methodNode == null || !methodNode.isTextual()) {
            sendError(c, "Invalid message: missing 'method'");
            return;
        }
        String method = methodNode.asText();
        switch (method) {
            case "subscribeNewToken" -> {
                c.newTokens = true;
                c.sendAlways(PumpPortalSimulator.ACK_NEW_TOKEN);
            }
            case "unsubscribeNewToken" -> {
                c.newTokens = false;
                c.sendAlways(PumpPortalSimulator.ACK_UNSUBSCRIBE_NEW_TOKEN);
            }
            case "subscribeMigration" -> {
                c.migrations = true;
                c.sendAlways(PumpPortalSimulator.ACK_MIGRATION);
            }
            case "subscribeTokenTrade", "subscribeAccountTrade" -> {
                List<String> keys = keys(c, node, method);
                if (keys == null) {
                    return;
                }
                if (!c.funded) {
                    stats.unfundedRefusal();
                    c.sendAlways(PumpPortalSimulator.NOTICE_UNFUNDED);
                    return;
                }
                (method.equals("subscribeTokenTrade") ? c.mints : c.accounts).addAll(keys);
                c.sendAlways(PumpPortalSimulator.ACK_KEYS);
            }
            case "unsubscribeTokenTrade", "unsubscribeAccountTrade" -> {
                List<String> keys = keys(c, node, method);
                if (keys == null) {
                    return;
                }
                keys.forEach((method.equals("unsubscribeTokenTrade") ? c.mints : c.accounts)::remove);
                c.sendAlways(PumpPortalSimulator.ACK_UNSUBSCRIBE_KEYS);
            }
            case "unsubscribeMigration" -> sendError(c, "Method 'unsubscribeMigration' is not supported");
            default -> sendError(c, "Unknown method '" + method + "'");
        }
    }

    /** Sends an {@code errors} frame, as the feed answers a message it cannot take. */
    void sendError(SimulatorConnection c, String message) {
        StringBuilder sb = new StringBuilder(message.length() + 16).append("{\"errors\":\"");
        FrameJson.appendEscaped(sb, message);
        c.sendAlways(sb.append("\"}").toString());
        stats.errorFrameSent();
    }

    /** The message's keys, or {@code null} after sending an errors frame. */
    private List<String> keys(SimulatorConnection c, JsonNode node, String method) {
        JsonNode keys = node.get("keys");
        if (keys == null || !keys.isArray()) {
            sendError(c, "'" + method + "' needs 'keys': an array of strings");
            return null;
        }
        if (keys.size() > PumpPortalSimulator.MAX_KEYS_PER_MESSAGE) {
            sendError(c, "Too many keys: at most " + PumpPortalSimulator.MAX_KEYS_PER_MESSAGE + " per message, got "
                    + keys.size());
            return null;
        }
        List<String> out = new ArrayList<>(keys.size());
        for (JsonNode k : keys) {
            if (!k.isTextual()) {
                sendError(c, "'" + method + "' needs 'keys': an array of strings");
                return null;
            }
            out.add(k.asText());
        }
        return out;
    }
}
