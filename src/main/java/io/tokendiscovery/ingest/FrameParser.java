package io.tokendiscovery.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.ingest.FeedEvent.FeedNotice;
import io.tokendiscovery.ingest.FeedEvent.NoticeType;
import io.tokendiscovery.ingest.FeedEvent.TokenCreated;
import io.tokendiscovery.ingest.FeedEvent.TokenMigrated;
import io.tokendiscovery.ingest.FeedEvent.TokenTraded;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * Turns one PumpPortal text frame into a {@link FeedEvent}: lenient for what the feed really sends (integers or
 * floats, optional {@code solAmount}/{@code pool}/reserves/metadata, unknown fields), strict for what is wrong (a
 * {@link FrameRejectedException} with a reason). Shapes are those of PROTOCOL.md and the captured samples.
 */
@Component("frameParser")
public class FrameParser {

    /** Ceilings far above anything real (1.073e9 virtual tokens, 2e9 mayhem supply, ~6e8 SOL in existence). */
    static final double MAX_TOKENS = 1e12;
    static final double MAX_SOL = 1e9;
    static final int MAX_NAME = 256;
    static final int MAX_SYMBOL = 64;
    static final int MAX_URI = 2048;
    static final int MAX_POOL = 32;

    private static final String FUNDED_KEY_NOTICE = "only available when connecting with an API key";

    private final ObjectMapper mapper;
    private final long maxFrameBytes;
    private final MeterRegistry meters;
    private final Map<String, Counter> frameCounters = new ConcurrentHashMap<>();

    public FrameParser(ObjectMapper mapper, TokenDiscoveryProperties properties, MeterRegistry meters) {
        this.mapper = mapper;
        this.maxFrameBytes = properties.pumpportal().maxFrameSize().toBytes();
        this.meters = meters;
    }

    public FeedEvent parse(String frame, @Header(PumpPortalHeaders.RECEIVE_SEQ) long seq,
            @Header(PumpPortalHeaders.RECEIVED_AT) long receivedAt,
            @Header(PumpPortalHeaders.BINARY) Boolean binary) {
        if (Boolean.TRUE.equals(binary)) {
            throw reject(RejectReason.BINARY, "binary WebSocket message");
        }
        if (frame == null) {
            throw reject(RejectReason.NOT_JSON, "empty frame");
        }
        // A UTF-8 character is at most 3 bytes per UTF-16 char; check cheaply before measuring exactly.
        if ((long) frame.length() > maxFrameBytes
                || ((long) frame.length() * 3 > maxFrameBytes && utf8Length(frame) > maxFrameBytes)) {
            throw reject(RejectReason.OVERSIZED, "frame of " + frame.length() + " chars over " + maxFrameBytes + " bytes");
        }
        JsonNode root;
        try {
            root = mapper.readTree(frame);
        } catch (JsonProcessingException e) {
            throw reject(RejectReason.NOT_JSON, e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw reject(RejectReason.NOT_OBJECT, "top level is " + (root == null ? "empty" : root.getNodeType()));
        }
        JsonNode txType = root.get("txType");
        if (txType == null) {
            return notice(root, seq, receivedAt);
        }
        if (!txType.isTextual()) {
            throw reject(RejectReason.WRONG_TYPE, "txType is not a string");
        }
        FeedEvent event = switch (txType.asText()) {
            case "create" -> create(root, seq, receivedAt);
            case "buy" -> trade(root, true, seq, receivedAt);
            case "sell" -> trade(root, false, seq, receivedAt);
            case "migrate" -> new TokenMigrated(signature(root), mint(root), optionalText(root, "pool", MAX_POOL), seq,
                    receivedAt);
            default -> throw reject(RejectReason.UNKNOWN_TX_TYPE, "txType " + abbreviate(txType.asText()));
        };
        count(txType.asText());
        return event;
    }

    private FeedEvent notice(JsonNode root, long seq, long receivedAt) {
        JsonNode message = root.get("message");
        if (message != null && message.isTextual() && root.size() == 1) {
            String text = message.asText();
            NoticeType type = text.contains(FUNDED_KEY_NOTICE)
                    ? NoticeType.FUNDED_KEY_REQUIRED
                    : (text.startsWith("Successfully subscribed") || text.startsWith("Subscribed to"))
                            ? NoticeType.ACK
                            : NoticeType.OTHER;
            count("notice");
            return new FeedNotice(text, type, seq, receivedAt);
        }
        if (root.has("errors")) {
            throw reject(RejectReason.FEED_ERROR, abbreviate(root.get("errors").toString()));
        }
        throw reject(RejectReason.UNKNOWN_SHAPE, "no txType, message or errors");
    }

    private TokenCreated create(JsonNode root, long seq, long receivedAt) {
        String pool = optionalText(root, "pool", MAX_POOL);
        Double vSol = optionalPositive(root, "vSolInBondingCurve", MAX_SOL);
        Double vTokens = optionalPositive(root, "vTokensInBondingCurve", MAX_TOKENS);
        if ((vSol == null) != (vTokens == null)) {
            throw reject(RejectReason.MISSING_FIELD, "only one of vSolInBondingCurve/vTokensInBondingCurve");
        }
        Double marketCap = optionalPositive(root, "marketCapSol", MAX_SOL);
        if (vSol == null && marketCap == null) {
            throw reject(RejectReason.MISSING_FIELD, "create without reserves or marketCapSol");
        }
        JsonNode mayhem = root.get("is_mayhem_mode");
        if (mayhem != null && !mayhem.isBoolean() && !mayhem.isNull()) {
            throw reject(RejectReason.WRONG_TYPE, "is_mayhem_mode is not a boolean");
        }
        return new TokenCreated(
                signature(root),
                mint(root),
                optionalWallet(root, "traderPublicKey"),
                pool,
                optionalText(root, "name", MAX_NAME),
                optionalText(root, "symbol", MAX_SYMBOL),
                optionalText(root, "uri", MAX_URI),
                mayhem != null && mayhem.asBoolean(),
                orZero(optionalNonNegative(root, "initialBuy", MAX_TOKENS)),
                orZero(optionalNonNegative(root, "solAmount", MAX_SOL)),
                vSol,
                vTokens,
                marketCap,
                seq,
                receivedAt);
    }

    private TokenTraded trade(JsonNode root, boolean buy, long seq, long receivedAt) {
        Double tokenAmount = optionalPositive(root, "tokenAmount", MAX_TOKENS);
        if (tokenAmount == null) {
            throw reject(RejectReason.MISSING_FIELD, "tokenAmount");
        }
        Double vSol = optionalPositive(root, "vSolInBondingCurve", MAX_SOL);
        Double vTokens = optionalPositive(root, "vTokensInBondingCurve", MAX_TOKENS);
        if ((vSol == null) != (vTokens == null)) {
            throw reject(RejectReason.MISSING_FIELD, "only one of vSolInBondingCurve/vTokensInBondingCurve");
        }
        return new TokenTraded(
                signature(root),
                mint(root),
                optionalWallet(root, "traderPublicKey"),
                buy,
                tokenAmount,
                optionalNonNegative(root, "solAmount", MAX_SOL),
                vSol,
                vTokens,
                optionalPositive(root, "marketCapSol", MAX_SOL),
                optionalText(root, "pool", MAX_POOL),
                seq,
                receivedAt);
    }

    private static String mint(JsonNode root) {
        String mint = requiredText(root, "mint");
        if (!Base58.isValid(mint, 32)) {
            throw reject(RejectReason.INVALID_MINT, "mint " + abbreviate(mint) + " is not a base58 public key");
        }
        return mint;
    }

    private static String signature(JsonNode root) {
        String signature = requiredText(root, "signature");
        if (!Base58.isValid(signature, 64)) {
            throw reject(RejectReason.INVALID_SIGNATURE, "signature " + abbreviate(signature) + " is not base58 of 64 bytes");
        }
        return signature;
    }

    private static String optionalWallet(JsonNode root, String field) {
        String wallet = optionalText(root, field, 64);
        if (wallet != null && !Base58.isValid(wallet, 32)) {
            throw reject(RejectReason.INVALID_MINT, field + " " + abbreviate(wallet) + " is not a base58 public key");
        }
        return wallet;
    }

    private static String requiredText(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw reject(RejectReason.MISSING_FIELD, field);
        }
        if (!node.isTextual()) {
            throw reject(RejectReason.WRONG_TYPE, field + " is not a string");
        }
        return node.asText();
    }

    private static String optionalText(JsonNode root, String field, int maxLength) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw reject(RejectReason.WRONG_TYPE, field + " is not a string");
        }
        String text = node.asText();
        if (text.length() > maxLength) {
            throw reject(RejectReason.FIELD_TOO_LONG, field + " has " + text.length() + " chars, limit " + maxLength);
        }
        return text;
    }

    private static Double optionalPositive(JsonNode root, String field, double max) {
        Double value = optionalNumber(root, field, max);
        if (value != null && value <= 0) {
            throw reject(RejectReason.INVALID_NUMBER, field + " must be > 0, was " + value);
        }
        return value;
    }

    private static Double optionalNonNegative(JsonNode root, String field, double max) {
        Double value = optionalNumber(root, field, max);
        if (value != null && value < 0) {
            throw reject(RejectReason.INVALID_NUMBER, field + " must be >= 0, was " + value);
        }
        return value;
    }

    /** Integers and floats alike (the feed sends {@code "solAmount":2}); strings, booleans and objects are wrong. */
    private static Double optionalNumber(JsonNode root, String field, double max) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw reject(RejectReason.WRONG_TYPE, field + " is not a number");
        }
        double value = node.asDouble();
        if (!Double.isFinite(value)) {
            throw reject(RejectReason.INVALID_NUMBER, field + " is not finite");
        }
        if (Math.abs(value) > max) {
            throw reject(RejectReason.ABSURD_VALUE, field + " = " + value + " exceeds " + max);
        }
        return value;
    }

    private static double orZero(Double value) {
        return value == null ? 0d : value;
    }

    private void count(String type) {
        frameCounters
                .computeIfAbsent(type, t -> Counter.builder("tokendiscovery.ingest.frames")
                        .description("Frames parsed from PumpPortal, by type")
                        .tag("type", t)
                        .register(meters))
                .increment();
    }

    private static FrameRejectedException reject(RejectReason reason, String detail) {
        return new FrameRejectedException(reason, detail);
    }

    static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    private static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
