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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns one PumpPortal text frame into a {@link FeedEvent}: lenient for what the feed really sends (integers or
 * floats, optional {@code solAmount}/{@code pool}/reserves/metadata, unknown fields), strict for what is wrong (a
 * {@link FrameRejectedException} with a reason). Shapes are those of PROTOCOL.md and the captured samples.
 * <p>
 * Numbers: every amount is finite, positive ones at least one base unit (a lamport, a millionth of a token) and at
 * most a ceiling far above anything real, so every value {@link TokenPricing} derives from them (prices, USD values,
 * volumes, progress) is a finite, normal double: a frame that cannot be priced is rejected here, in microseconds,
 * with {@code INVALID_NUMBER} or {@code ABSURD_VALUE}, never retried. Free text follows {@link FreeText}: it is
 * cleaned, cut to its field's limit and counted, never a reason to reject the frame.
 */
@Component("frameParser")
public class FrameParser {

    /** Ceilings far above anything real (1.073e9 virtual tokens, 2e9 mayhem supply, ~6e8 SOL in existence). */
    static final double MAX_TOKENS = 1e12;
    static final double MAX_SOL = 1e9;
    /**
     * The smallest amounts that exist on chain: one lamport and one base unit of a 6-decimal token. A positive value
     * below them (e.g. {@code vTokensInBondingCurve: 1e-310}) is not an amount, and would price to Infinity.
     */
    static final double MIN_SOL = 1e-9;
    static final double MIN_TOKENS = 1e-6;
    /** Limits of the stored free text, in UTF-16 chars; longer text is cut (FreeText), the frame is kept. */
    static final int MAX_NAME = 256;
    static final int MAX_SYMBOL = 64;
    static final int MAX_URI = 2048;
    static final int MAX_POOL = 32;
    /** A base58 public key is at most 44 characters; longer is not a key (FIELD_TOO_LONG, structural). */
    static final int MAX_KEY = 64;
    /** At most one log line this often about cleaned free text; the counter has every case. */
    static final long SANITIZED_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final Logger log = LoggerFactory.getLogger(FrameParser.class);

    private static final String FUNDED_KEY_NOTICE = "only available when connecting with an API key";

    private final ObjectMapper mapper;
    private final long maxFrameBytes;
    private final MeterRegistry meters;
    private final Map<String, Counter> frameCounters = new ConcurrentHashMap<>();
    private final Map<String, Counter> sanitizedCounters = new ConcurrentHashMap<>();
    /** Frames with cleaned text since the last log line, and when that line was written. */
    private final AtomicLong sanitizedSinceLog = new AtomicLong();
    private final AtomicLong lastSanitizedLog = new AtomicLong(System.nanoTime() - SANITIZED_LOG_INTERVAL_NANOS);

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
            case "migrate" -> migrate(root, seq, receivedAt);
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
                    : (text.startsWith("Successfully subscribed") || text.startsWith("Successfully unsubscribed")
                            || text.startsWith("Subscribed to"))
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

    private TokenMigrated migrate(JsonNode root, long seq, long receivedAt) {
        String signature = signature(root);
        String mint = mint(root);
        Sanitized text = new Sanitized(mint);
        TokenMigrated event = new TokenMigrated(signature, mint, text.optional(root, "pool", MAX_POOL), seq, receivedAt);
        text.report();
        return event;
    }

    private TokenCreated create(JsonNode root, long seq, long receivedAt) {
        JsonNode pool = root.get("pool");
        if (pool != null && !pool.isNull() && !pool.isTextual()) {
            throw reject(RejectReason.WRONG_TYPE, "pool is not a string");
        }
        Double vSol = optionalPositive(root, "vSolInBondingCurve", MIN_SOL, MAX_SOL);
        Double vTokens = optionalPositive(root, "vTokensInBondingCurve", MIN_TOKENS, MAX_TOKENS);
        if ((vSol == null) != (vTokens == null)) {
            throw reject(RejectReason.MISSING_FIELD, "only one of vSolInBondingCurve/vTokensInBondingCurve");
        }
        Double marketCap = optionalPositive(root, "marketCapSol", MIN_SOL, MAX_SOL);
        if (vSol == null && marketCap == null) {
            throw reject(RejectReason.MISSING_FIELD, "create without reserves or marketCapSol");
        }
        JsonNode mayhem = root.get("is_mayhem_mode");
        if (mayhem != null && !mayhem.isBoolean() && !mayhem.isNull()) {
            throw reject(RejectReason.WRONG_TYPE, "is_mayhem_mode is not a boolean");
        }
        String signature = signature(root);
        String mint = mint(root);
        String creator = optionalWallet(root, "traderPublicKey");
        Sanitized text = new Sanitized(mint);
        TokenCreated event = new TokenCreated(
                signature,
                mint,
                creator,
                text.optional(root, "pool", MAX_POOL),
                text.optional(root, "name", MAX_NAME),
                text.optional(root, "symbol", MAX_SYMBOL),
                text.optional(root, "uri", MAX_URI),
                mayhem != null && mayhem.asBoolean(),
                orZero(optionalNonNegative(root, "initialBuy", MIN_TOKENS, MAX_TOKENS)),
                orZero(optionalNonNegative(root, "solAmount", MIN_SOL, MAX_SOL)),
                vSol,
                vTokens,
                marketCap,
                seq,
                receivedAt);
        text.report();
        return event;
    }

    private TokenTraded trade(JsonNode root, boolean buy, long seq, long receivedAt) {
        Double tokenAmount = optionalPositive(root, "tokenAmount", MIN_TOKENS, MAX_TOKENS);
        if (tokenAmount == null) {
            throw reject(RejectReason.MISSING_FIELD, "tokenAmount");
        }
        Double vSol = optionalPositive(root, "vSolInBondingCurve", MIN_SOL, MAX_SOL);
        Double vTokens = optionalPositive(root, "vTokensInBondingCurve", MIN_TOKENS, MAX_TOKENS);
        if ((vSol == null) != (vTokens == null)) {
            throw reject(RejectReason.MISSING_FIELD, "only one of vSolInBondingCurve/vTokensInBondingCurve");
        }
        String signature = signature(root);
        String mint = mint(root);
        String trader = optionalWallet(root, "traderPublicKey");
        Double solAmount = optionalNonNegative(root, "solAmount", MIN_SOL, MAX_SOL);
        Double marketCap = optionalPositive(root, "marketCapSol", MIN_SOL, MAX_SOL);
        Sanitized text = new Sanitized(mint);
        TokenTraded event = new TokenTraded(signature, mint, trader, buy, tokenAmount, solAmount, vSol, vTokens,
                marketCap, text.optional(root, "pool", MAX_POOL), seq, receivedAt);
        text.report();
        return event;
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
        String wallet = optionalKey(root, field);
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

    /** A key-like field (base58 checked by the caller): structural, so too long rejects the frame. */
    private static String optionalKey(JsonNode root, String field) {
        String text = optionalString(root, field);
        if (text != null && text.length() > MAX_KEY) {
            throw reject(RejectReason.FIELD_TOO_LONG, field + " has " + text.length() + " chars, limit " + MAX_KEY);
        }
        return text;
    }

    private static String optionalString(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw reject(RejectReason.WRONG_TYPE, field + " is not a string");
        }
        return node.asText();
    }

    /**
     * The free text of one frame, cleaned by {@link FreeText}. Once the frame is accepted ({@link #report()}), each
     * change is counted by field, and the frame once for the rate-limited log line; a frame rejected for another
     * field after its text was cleaned counts nothing here.
     */
    private final class Sanitized {
        private final String mint;
        private StringBuilder changes;
        private List<Counter> counters;

        Sanitized(String mint) {
            this.mint = mint;
        }

        String optional(JsonNode root, String field, int maxChars) {
            String raw = optionalString(root, field);
            if (raw == null) {
                return null;
            }
            FreeText.Cleaned cleaned = FreeText.clean(raw, maxChars);
            if (cleaned.changed()) {
                for (FreeText.Change change : FreeText.Change.values()) {
                    if (cleaned.has(change)) {
                        if (counters == null) {
                            counters = new ArrayList<>(4);
                        }
                        counters.add(sanitizedCounter(field, change));
                        changes = (changes == null ? new StringBuilder() : changes.append(", "))
                                .append(field).append(' ').append(change.tag());
                    }
                }
                if (cleaned.has(FreeText.Change.TRUNCATED)) {
                    changes.append(" (").append(raw.length()).append(" -> ").append(maxChars).append(" chars)");
                }
            }
            return cleaned.text();
        }

        /** Once per frame, after its fields: at most one INFO line a minute, with the frames since the last one. */
        void report() {
            if (changes == null) {
                return;
            }
            counters.forEach(Counter::increment);
            long frames = sanitizedSinceLog.incrementAndGet();
            long last = lastSanitizedLog.get();
            long now = System.nanoTime();
            if (now - last >= SANITIZED_LOG_INTERVAL_NANOS && lastSanitizedLog.compareAndSet(last, now)) {
                sanitizedSinceLog.addAndGet(-frames);
                log.info("Cleaned the free text of {} frame(s) since the last such line, at most one a minute"
                        + " (docs/pumpportal-client.md#free-text, tokendiscovery.ingest.text.sanitized); latest: mint {}:"
                        + " {}", frames, mint, changes);
            }
        }
    }

    private Counter sanitizedCounter(String field, FreeText.Change change) {
        return sanitizedCounters.computeIfAbsent(field + '/' + change.tag(), k -> Counter
                .builder("tokendiscovery.ingest.text.sanitized")
                .description("Free-text fields cleaned (control characters removed, lone surrogates replaced, cut to"
                        + " the field's limit) in accepted frames, by field and change")
                .tag("field", field)
                .tag("change", change.tag())
                .register(meters));
    }

    /** Positive, and at least {@code min} (one on-chain base unit): anything smaller cannot be priced. */
    private static Double optionalPositive(JsonNode root, String field, double min, double max) {
        Double value = optionalNumber(root, field, max);
        if (value != null && value <= 0) {
            throw reject(RejectReason.INVALID_NUMBER, field + " must be > 0, was " + value);
        }
        if (value != null && value < min) {
            throw reject(RejectReason.INVALID_NUMBER, field + " = " + value + " is below one base unit (" + min + ")");
        }
        return value;
    }

    /** Zero, or as {@link #optionalPositive}. */
    private static Double optionalNonNegative(JsonNode root, String field, double min, double max) {
        Double value = optionalNumber(root, field, max);
        if (value != null && value < 0) {
            throw reject(RejectReason.INVALID_NUMBER, field + " must be >= 0, was " + value);
        }
        if (value != null && value > 0 && value < min) {
            throw reject(RejectReason.INVALID_NUMBER, field + " = " + value + " is below one base unit (" + min + ")");
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

    /** For a rejection's detail (logged and stored): at most 100 chars, control characters shown as {@code ?}. */
    static String abbreviate(String s) {
        String cut = s.length() <= 100 ? s : s.substring(0, 100) + "...";
        StringBuilder out = null;
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                if (out == null) {
                    out = new StringBuilder(cut);
                }
                out.setCharAt(i, '?');
            }
        }
        return out == null ? cut : out.toString();
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
