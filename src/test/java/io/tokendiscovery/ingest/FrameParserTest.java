package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TestProperties;
import io.tokendiscovery.ingest.FeedEvent.FeedNotice;
import io.tokendiscovery.ingest.FeedEvent.NoticeType;
import io.tokendiscovery.ingest.FeedEvent.TokenCreated;
import io.tokendiscovery.ingest.FeedEvent.TokenMigrated;
import io.tokendiscovery.ingest.FeedEvent.TokenTraded;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameParserTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final FrameParser parser = new FrameParser(new ObjectMapper(), TestProperties.defaults(), meters);

    private FeedEvent parse(String frame) {
        return parser.parse(frame, 42L, 1_700_000_000_000L, null);
    }

    @Test
    void classifiesAcksAndTheFundedKeyNotice() {
        assertThat(((FeedNotice) parse(SampleFrames.get(SampleFrames.ACK_NEW_TOKEN))).type()).isEqualTo(NoticeType.ACK);
        assertThat(((FeedNotice) parse(SampleFrames.get(SampleFrames.ACK_MIGRATION))).type()).isEqualTo(NoticeType.ACK);
        assertThat(((FeedNotice) parse(SampleFrames.get(SampleFrames.ACK_KEYS))).type()).isEqualTo(NoticeType.ACK);
        // the answer to unsubscribeTokenTrade (zombie re-subscription, window end) is an ack too, not a warning
        assertThat(((FeedNotice) parse("{\"message\":\"Successfully unsubscribed from keys.\"}")).type())
                .isEqualTo(NoticeType.ACK);
        assertThat(((FeedNotice) parse(SampleFrames.get(SampleFrames.FUNDED_KEY_NOTICE))).type())
                .isEqualTo(NoticeType.FUNDED_KEY_REQUIRED);
        assertThat(((FeedNotice) parse("{\"message\":\"Something new\"}")).type()).isEqualTo(NoticeType.OTHER);
    }

    @Test
    void parsesThePumpCreate() {
        TokenCreated c = (TokenCreated) parse(SampleFrames.get(SampleFrames.CREATE));
        assertThat(c.mint()).isEqualTo("8yZ1rj5nHbUFuCbnoowE6rHLZYiuTe1tbxEskgzUpump");
        assertThat(c.creator()).isEqualTo("HDypasvYsG5MuABAfaTf78FVYMmYedcbefZ7pxWEhVQV");
        assertThat(c.name()).isEqualTo("Cash Elon ");
        assertThat(c.symbol()).isEqualTo("CASHELON");
        assertThat(c.mayhem()).isTrue();
        assertThat(c.pool()).isEqualTo("pump");
        assertThat(c.vSol()).isEqualTo(30.059259257999976);
        assertThat(c.vTokens()).isEqualTo(1070884672.297204);
        assertThat(c.receiveSeq()).isEqualTo(42L);
        assertThat(c.receivedAtMillis()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void parsesACreateWithoutMetadataAndWithIntegerNumbers() {
        TokenCreated c = (TokenCreated) parse(SampleFrames.get(SampleFrames.CREATE_WITHOUT_METADATA));
        assertThat(c.name()).isNull();
        assertThat(c.symbol()).isNull();
        assertThat(c.uri()).isNull();
        assertThat(c.vSol()).isEqualTo(30d);
        assertThat(c.vTokens()).isEqualTo(1_073_000_000d);
        assertThat(c.initialBuy()).isZero();
    }

    @Test
    void parsesTheBonkCreateWithoutCurveFields() {
        TokenCreated c = (TokenCreated) parse(SampleFrames.get(SampleFrames.CREATE_BONK));
        assertThat(c.pool()).isEqualTo("bonk");
        assertThat(c.vSol()).isNull();
        assertThat(c.marketCapSol()).isEqualTo(29.72713613571716);
    }

    @Test
    void parsesABuyAndALegacySell() {
        TokenTraded buy = (TokenTraded) parse(SampleFrames.get(SampleFrames.BUY));
        assertThat(buy.buy()).isTrue();
        assertThat(buy.solAmount()).isEqualTo(2.629842459);
        assertThat(buy.vSol()).isEqualTo(53.93797509913754);
        TokenTraded sell = (TokenTraded) parse(SampleFrames.get(SampleFrames.LEGACY_SELL));
        assertThat(sell.buy()).isFalse();
        assertThat(sell.solAmount()).isNull();
        assertThat(sell.pool()).isNull();
        assertThat(sell.vTokens()).isEqualTo(961935997.353775);
    }

    @Test
    void parsesAMigration() {
        TokenMigrated m = (TokenMigrated) parse(SampleFrames.get(SampleFrames.MIGRATE));
        assertThat(m.mint()).isEqualTo("DU8QWqR361yn4VQbRjYke4vdaKQYcfvDHsn2bx2cpump");
        assertThat(m.pool()).isEqualTo("pump-amm");
    }

    @Test
    void ignoresUnknownFields() {
        String buy = SampleFrames.get(SampleFrames.BUY).replace("{", "{\"somethingNew\":[1,2,{\"x\":null}],");
        assertThat(parse(buy)).isInstanceOf(TokenTraded.class);
    }

    @Test
    void countsFramesByType() {
        SampleFrames.all().forEach(this::parse);
        assertThat(meters.get("tokendiscovery.ingest.frames").tag("type", "notice").counter().count()).isEqualTo(4);
        assertThat(meters.get("tokendiscovery.ingest.frames").tag("type", "create").counter().count()).isEqualTo(3);
        assertThat(meters.get("tokendiscovery.ingest.frames").tag("type", "buy").counter().count()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "NOT_JSON          | not json at all",
        "NOT_JSON          | {\"txType\":\"buy\"",
        "NOT_OBJECT        | [1,2,3]",
        "NOT_OBJECT        | 42",
        "UNKNOWN_SHAPE     | {\"hello\":\"world\"}",
        "FEED_ERROR        | {\"errors\":\"Invalid message\"}",
        "UNKNOWN_TX_TYPE   | {\"txType\":\"burn\",\"mint\":\"x\"}",
        "WRONG_TYPE        | {\"txType\":7}",
    })
    void rejectsMalformedFrames(RejectReason reason, String frame) {
        assertThatThrownBy(() -> parse(frame))
                .isInstanceOfSatisfying(FrameRejectedException.class, e -> assertThat(e.getReason()).isEqualTo(reason));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "INVALID_MINT      | \"mint\":\"5ygJ27k1ZyUBdeR9LeNxQ5vZ4n4togt3kxxcYnHUpump\" | \"mint\":\"0OIl-not-base58\"",
        "INVALID_MINT      | \"mint\":\"5ygJ27k1ZyUBdeR9LeNxQ5vZ4n4togt3kxxcYnHUpump\" | \"mint\":\"abc\"",
        "INVALID_MINT      | \"mint\":\"5ygJ27k1ZyUBdeR9LeNxQ5vZ4n4togt3kxxcYnHUpump\" | \"mint\":\"'; DROP TABLE token_discovery; --\"",
        "WRONG_TYPE        | \"mint\":\"5ygJ27k1ZyUBdeR9LeNxQ5vZ4n4togt3kxxcYnHUpump\" | \"mint\":12345",
        "MISSING_FIELD     | \"mint\":\"5ygJ27k1ZyUBdeR9LeNxQ5vZ4n4togt3kxxcYnHUpump\", | ",
        "INVALID_SIGNATURE | \"signature\":\"5EMqq | \"signature\":\"xx5EMqq",
        "WRONG_TYPE        | \"solAmount\":2.629842459 | \"solAmount\":\"2.6\"",
        "INVALID_NUMBER    | \"vSolInBondingCurve\":53.93797509913754 | \"vSolInBondingCurve\":-1",
        "INVALID_NUMBER    | \"vSolInBondingCurve\":53.93797509913754 | \"vSolInBondingCurve\":0",
        "ABSURD_VALUE      | \"vSolInBondingCurve\":53.93797509913754 | \"vSolInBondingCurve\":1e300",
        "INVALID_NUMBER    | \"tokenAmount\":30589322.786086 | \"tokenAmount\":0",
        "MISSING_FIELD     | \"tokenAmount\":30589322.786086, | ",
        "MISSING_FIELD     | \"vSolInBondingCurve\":53.93797509913754, | ",
    })
    void rejectsInvalidTrades(RejectReason reason, String find, String replace) {
        String frame = SampleFrames.get(SampleFrames.BUY).replace(find, replace == null ? "" : replace);
        assertThat(frame).isNotEqualTo(SampleFrames.get(SampleFrames.BUY));
        assertThatThrownBy(() -> parse(frame))
                .isInstanceOfSatisfying(FrameRejectedException.class, e -> assertThat(e.getReason()).isEqualTo(reason));
    }

    @Test
    void rejectsOversizedAndBinaryFrames() {
        String huge = "{\"message\":\"" + "x".repeat(270 * 1024) + "\"}";
        assertThatThrownBy(() -> parse(huge))
                .isInstanceOfSatisfying(FrameRejectedException.class,
                        e -> assertThat(e.getReason()).isEqualTo(RejectReason.OVERSIZED));
        assertThatThrownBy(() -> parser.parse(SampleFrames.get(SampleFrames.BUY), 1, 1, true))
                .isInstanceOfSatisfying(FrameRejectedException.class,
                        e -> assertThat(e.getReason()).isEqualTo(RejectReason.BINARY));
    }

    @Test
    void keepsSqlLookingNamesAsPlainData() {
        String frame = SampleFrames.get(SampleFrames.CREATE).replace("\"Cash Elon \"", "\"Robert'); DROP TABLE token_discovery;--\"");
        assertThat(((TokenCreated) parse(frame)).name()).isEqualTo("Robert'); DROP TABLE token_discovery;--");
    }

    /**
     * Issue 13 item 4: a positive amount below one base unit (a lamport, a millionth of a token) cannot be priced
     * (30 / 1e-310 is Infinity): rejected by the parser with INVALID_NUMBER. Fails before the fix: 1e-310 passed as
     * positive and the pricing's BigDecimal threw later, a failure that was retried (the first six rows failed on
     * 5d0129d; 1e400 and 1e13 were already rejected and stay as guards).
     */
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "INVALID_NUMBER | \"vTokensInBondingCurve\":596796597.218102 | \"vTokensInBondingCurve\":1e-310",
        "INVALID_NUMBER | \"vTokensInBondingCurve\":596796597.218102 | \"vTokensInBondingCurve\":4.9e-324",
        "INVALID_NUMBER | \"vSolInBondingCurve\":53.93797509913754 | \"vSolInBondingCurve\":1e-310",
        "INVALID_NUMBER | \"tokenAmount\":30589322.786086 | \"tokenAmount\":1e-7",
        "INVALID_NUMBER | \"solAmount\":2.629842459 | \"solAmount\":1e-310",
        "INVALID_NUMBER | \"marketCapSol\":90.37915991907988 | \"marketCapSol\":1e-320",
        "INVALID_NUMBER | \"vTokensInBondingCurve\":596796597.218102 | \"vTokensInBondingCurve\":1e400",
        "ABSURD_VALUE   | \"tokenAmount\":30589322.786086 | \"tokenAmount\":1e13",
    })
    void rejectsAmountsThatCannotBePriced(RejectReason reason, String find, String replace) {
        String frame = SampleFrames.get(SampleFrames.BUY).replace(find, replace);
        assertThat(frame).isNotEqualTo(SampleFrames.get(SampleFrames.BUY));
        assertThatThrownBy(() -> parse(frame))
                .isInstanceOfSatisfying(FrameRejectedException.class, e -> assertThat(e.getReason()).isEqualTo(reason));
    }

    @Test
    void acceptsTheSmallestRealAmounts() {
        String frame = SampleFrames.get(SampleFrames.BUY).replace("\"solAmount\":2.629842459", "\"solAmount\":1e-9")
                .replace("\"tokenAmount\":30589322.786086", "\"tokenAmount\":0.000001");
        TokenTraded trade = (TokenTraded) parse(frame);
        assertThat(trade.solAmount()).isEqualTo(1e-9);
        assertThat(trade.tokenAmount()).isEqualTo(1e-6);
    }

    /**
     * Issue 13 item 1, the text policy (FreeText): control characters removed (whitespace ones become a space),
     * lone surrogates replaced with U+FFFD, cut to the field's limit, the frame kept and the change counted. Fails
     * before the fix: the long name rejected the whole frame (FIELD_TOO_LONG) and control characters were kept.
     */
    @Test
    void cleansFreeTextInsteadOfRejectingTheFrame() {
        // 60 KB: the whole frame stays under the default 64 KB frame limit
        String frame = SampleFrames.get(SampleFrames.CREATE)
                .replace("\"Cash Elon \"", "\"Cash\\u0000\\nElon\\u007f\\ud800 " + "x".repeat(60 * 1024) + "\"")
                .replace("\"CASHELON\"", "\"CASH\\u001bELON" + "S".repeat(100) + "\"")
                .replace("\"pool\":\"pump\"", "\"pool\":\"pu\\u0000mp\"");
        TokenCreated c = (TokenCreated) parse(frame);
        assertThat(c.name()).startsWith("Cash Elon\uFFFD x").hasSize(FrameParser.MAX_NAME);
        assertThat(c.symbol()).startsWith("CASHELONSSS").hasSize(FrameParser.MAX_SYMBOL);
        assertThat(c.pool()).isEqualTo("pump");
        assertThat(c.uri()).isEqualTo("https://ipfs.io/ipfs/bafkreid55z3ln7vg3udpgagfeumjcd7stnfqri7zkc4n227eq4vs24rdj4");
        assertThat(meters.get("tokendiscovery.ingest.text.sanitized").tag("field", "name").tag("change", "control")
                .counter().count()).isEqualTo(1);
        assertThat(meters.get("tokendiscovery.ingest.text.sanitized").tag("field", "name").tag("change", "surrogate")
                .counter().count()).isEqualTo(1);
        assertThat(meters.get("tokendiscovery.ingest.text.sanitized").tag("field", "name").tag("change", "truncated")
                .counter().count()).isEqualTo(1);
        assertThat(meters.get("tokendiscovery.ingest.text.sanitized").tag("field", "symbol").tag("change", "truncated")
                .counter().count()).isEqualTo(1);
        assertThat(meters.get("tokendiscovery.ingest.text.sanitized").tag("field", "pool").tag("change", "control")
                .counter().count()).isEqualTo(1);
        // a clean frame counts nothing
        parse(SampleFrames.get(SampleFrames.CREATE));
        assertThat(meters.find("tokendiscovery.ingest.text.sanitized").counters().stream()
                .mapToDouble(counter -> counter.count()).sum()).isEqualTo(6);
    }

    @Test
    void aRejectedFrameCountsNoCleanedText() {
        String frame = SampleFrames.get(SampleFrames.CREATE).replace("\"Cash Elon \"", "\"Cash\\u0000Elon\"")
                .replace("\"solAmount\":0.059259258", "\"solAmount\":1e-310");
        assertThatThrownBy(() -> parse(frame)).isInstanceOfSatisfying(FrameRejectedException.class,
                e -> assertThat(e.getReason()).isEqualTo(RejectReason.INVALID_NUMBER));
        assertThat(meters.find("tokendiscovery.ingest.text.sanitized").counters().stream()
                .mapToDouble(counter -> counter.count()).sum()).isZero();
    }

    /** Fails before the fix: FIELD_TOO_LONG for a name one character over the limit. */
    @Test
    void aNameAtAndOverTheLimitIsKept() {
        for (int length : List.of(FrameParser.MAX_NAME, FrameParser.MAX_NAME + 1)) {
            String frame = SampleFrames.get(SampleFrames.CREATE).replace("\"Cash Elon \"", "\"" + "n".repeat(length) + "\"");
            assertThat(((TokenCreated) parse(frame)).name()).isEqualTo("n".repeat(FrameParser.MAX_NAME));
        }
    }

    @Test
    void keysStayStructuralTooLongOrNotBase58IsRejected() {
        String frame = SampleFrames.get(SampleFrames.BUY).replaceFirst("\"traderPublicKey\":\"[^\"]+\"",
                "\"traderPublicKey\":\"" + "1".repeat(65) + "\"");
        assertThatThrownBy(() -> parse(frame)).isInstanceOfSatisfying(FrameRejectedException.class,
                e -> assertThat(e.getReason()).isEqualTo(RejectReason.FIELD_TOO_LONG));
        String nul = SampleFrames.get(SampleFrames.BUY).replace("\"mint\":\"5ygJ", "\"mint\":\"\\u00005ygJ");
        assertThatThrownBy(() -> parse(nul)).isInstanceOfSatisfying(FrameRejectedException.class, e -> {
            assertThat(e.getReason()).isEqualTo(RejectReason.INVALID_MINT);
            assertThat(e.getMessage()).doesNotContain("\u0000");
        });
    }

    /** JSON forbids raw control characters inside strings: such a frame is not JSON (Jackson is strict). */
    @Test
    void aRawControlCharacterInAStringIsNotJson() {
        String frame = SampleFrames.get(SampleFrames.CREATE).replace("\"Cash Elon \"", "\"Cash\u0000Elon\"");
        assertThatThrownBy(() -> parse(frame)).isInstanceOfSatisfying(FrameRejectedException.class,
                e -> assertThat(e.getReason()).isEqualTo(RejectReason.NOT_JSON));
    }
}
