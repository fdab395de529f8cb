package io.tokendiscovery.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TestProperties;
import io.tokendiscovery.cache.TokenUpdate;
import io.tokendiscovery.ingest.FeedEvent.TokenCreated;
import io.tokendiscovery.ingest.FeedEvent.TokenTraded;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenPricingTest {

    private final FrameParser parser =
            new FrameParser(new ObjectMapper(), TestProperties.defaults(), new SimpleMeterRegistry());
    private final TokenPricing pricing = new TokenPricing(
            new SolUsdRate(TestProperties.with(Map.of("tokendiscovery.pricing.sol-usd", "200"))),
            TestProperties.defaults());

    private FeedEvent parse(int sample) {
        return parser.parse(SampleFrames.get(sample), 7L, 1000L, null);
    }

    @Test
    void spotPriceIsVirtualSolOverVirtualTokens() {
        TokenUpdate update = pricing.trade((TokenTraded) parse(SampleFrames.BUY));
        double expected = 53.93797509913754 / 596796597.218102;
        assertThat(Double.parseDouble(update.latest().get("price_sol"))).isEqualTo(expected);
        assertThat(new BigDecimal(update.latest().get("price_usd")))
                .isEqualByComparingTo(BigDecimal.valueOf(expected).multiply(BigDecimal.valueOf(200)));
        // marketCapSol of the frame = price x 1e9, exactly as captured
        assertThat(expected * 1e9).isCloseTo(90.37915991907988, within(1e-9));
        assertThat(update.increments()).containsEntry("trade_count", 1L).containsEntry("buy_count", 1L);
        assertThat(update.floatIncrements()).containsEntry("volume_sol", 2.629842459);
        assertThat(update.floatIncrements().get("volume_usd")).isCloseTo(2.629842459 * 200, within(1e-9));
        assertThat(update.tick()).contains("\"priceSol\":" + expected).contains("\"seq\":7");
        assertThat(update.feeds().hotWeight()).isCloseTo(2.629842459 * 200 + 5, within(1e-9));
        assertThat(Double.parseDouble(update.feeds().progress())).isCloseTo(60.04, within(0.01));
        assertThat(SampleFrames.parse(update.feeds().tradeJson()).get("side").asText()).isEqualTo("buy");
    }

    @Test
    void fillPriceWithoutReservesAndDustSkipped() {
        TokenTraded graduated = new TokenTraded("s", "m", null, true, 1000, 2.0, null, null, null, "pump-amm", 1, 1);
        assertThat(Double.parseDouble(pricing.trade(graduated).latest().get("price_sol"))).isEqualTo(0.002);
        TokenTraded dust = new TokenTraded("s", "m", null, true, 1000, 0.009, null, null, null, "pump-amm", 1, 1);
        TokenUpdate update = pricing.trade(dust);
        assertThat(update.latest()).doesNotContainKey("price_sol");
        assertThat(update.tick()).isNull();
        assertThat(update.increments()).containsEntry("trade_count", 1L);
    }

    @Test
    void legacySellWithoutSolAmountStillPricesFromReserves() {
        TokenUpdate update = pricing.trade((TokenTraded) parse(SampleFrames.LEGACY_SELL));
        assertThat(Double.parseDouble(update.latest().get("price_sol"))).isEqualTo(33.46376483316213 / 961935997.353775);
        assertThat(update.increments()).containsEntry("sell_count", 1L);
        assertThat(update.floatIncrements()).doesNotContainKey("volume_sol");
    }

    @Test
    void bondingProgressFollowsTheOfficialCurve() {
        assertThat(TokenPricing.bondingProgress(1_073_000_000d)).isCloseTo(0, within(1e-9));
        assertThat(TokenPricing.bondingProgress(279_900_000d)).isCloseTo(100, within(1e-9));
        assertThat(TokenPricing.bondingProgress(200_000_000d)).isEqualTo(100);
        assertThat(TokenPricing.bondingProgress(596796597.218102)).isCloseTo(60.04, within(0.01));
    }

    @Test
    void createRecordsMetadataOnceAndTheCreatorsBuy() {
        TokenUpdate update = pricing.create((TokenCreated) parse(SampleFrames.CREATE));
        assertThat(update.once()).containsEntry("name", "Cash Elon ").containsEntry("is_mayhem_mode", "1")
                .containsEntry("state", "NEW");
        assertThat(update.increments()).containsEntry("buy_count", 1L);
        assertThat(Double.parseDouble(update.latest().get("price_sol"))).isEqualTo(30.059259257999976 / 1070884672.297204);
    }

    @Test
    void bonkCreatePricesFromMarketCap() {
        TokenUpdate update = pricing.create((TokenCreated) parse(SampleFrames.CREATE_BONK));
        assertThat(Double.parseDouble(update.latest().get("price_sol"))).isEqualTo(29.72713613571716 / 1e9);
        assertThat(update.latest()).doesNotContainKey("v_sol_in_curve");
    }

    private static TokenTraded trade(String signature, String trader, double tokenAmount, Double solAmount, Double vSol,
            Double vTokens) {
        return new TokenTraded(signature, "m", trader, true, tokenAmount, solAmount, vSol, vTokens, null, "pump", 1, 1);
    }

    /**
     * Issue 13 item 4: a price that is not a finite, positive, normal double is INVALID_NUMBER (ABSURD_VALUE when
     * finite and too large), thrown before any BigDecimal sees it. Fails before the fix: Infinity and NaN made
     * BigDecimal.valueOf throw NumberFormatException (retried by the route) and a subnormal price was accepted.
     */
    @ParameterizedTest(name = "vSol {0} / vTokens {1} -> {2}")
    @CsvSource({
        "30,        1e-310,  INVALID_NUMBER",
        "1e-310,    1e9,     INVALID_NUMBER",
        "NaN,       1e9,     INVALID_NUMBER",
        "Infinity,  1e9,     INVALID_NUMBER",
        "0,         1e9,     INVALID_NUMBER",
        "1e300,     1e-6,    ABSURD_VALUE",
    })
    void aPriceThatIsNotAFiniteNormalNumberRejectsTheFrame(double vSol, double vTokens, RejectReason reason) {
        assertThatThrownBy(() -> pricing.trade(trade("s", null, 1000, 1.0, vSol, vTokens)))
                .isInstanceOfSatisfying(FrameRejectedException.class, e -> assertThat(e.getReason()).isEqualTo(reason));
        TokenCreated create = new TokenCreated("s", "m", null, "pump", "n", "s", "u", false, 0, 0, vSol, vTokens, null,
                1, 1);
        assertThatThrownBy(() -> pricing.create(create))
                .isInstanceOfSatisfying(FrameRejectedException.class, e -> assertThat(e.getReason()).isEqualTo(reason));
    }

    /** Fails before the fix: 5 / 1e-310 is Infinity, BigDecimal threw NumberFormatException. */
    @Test
    void aFillPriceOrVolumeThatOverflowsRejectsTheFrame() {
        assertThatThrownBy(() -> pricing.trade(trade("s", null, 1e-310, 5.0, null, null)))
                .isInstanceOfSatisfying(FrameRejectedException.class,
                        e -> assertThat(e.getReason()).isEqualTo(RejectReason.INVALID_NUMBER));
        assertThatThrownBy(() -> pricing.trade(trade("s", null, 1000, Double.NaN, 30.0, 1e9)))
                .isInstanceOfSatisfying(FrameRejectedException.class,
                        e -> assertThat(e.getReason()).isEqualTo(RejectReason.INVALID_NUMBER));
        assertThatThrownBy(() -> TokenPricing.bondingProgress(Double.NaN))
                .isInstanceOf(FrameRejectedException.class);
    }

    /**
     * The trade and tick JSON are concatenated: a key holding a quote or a control character would break them.
     * The parser only lets base58 through; the pricing refuses anything else. Fails before the fix: the broken JSON
     * was built without complaint.
     */
    @Test
    void theTradeAndTickJsonCannotBeBrokenByAKey() {
        assertThatThrownBy(() -> pricing.trade(trade("s\",\"side\":\"sell", null, 1000, 1.0, 30.0, 1e9)))
                .isInstanceOfSatisfying(FrameRejectedException.class,
                        e -> assertThat(e.getReason()).isEqualTo(RejectReason.INVALID_SIGNATURE));
        assertThatThrownBy(() -> pricing.trade(trade("s", "t\u0000", 1000, 1.0, 30.0, 1e9)))
                .isInstanceOfSatisfying(FrameRejectedException.class,
                        e -> assertThat(e.getReason()).isEqualTo(RejectReason.INVALID_MINT));
        // what the parser accepts always gives valid JSON, with the same values
        TokenUpdate update = pricing.trade((TokenTraded) parse(SampleFrames.BUY));
        assertThat(SampleFrames.parse(update.feeds().tradeJson()).get("trader").asText())
                .isEqualTo("3JQvkiF2GKfca3ggMPRwTHmzvnj6emReuSFwSrBBonp5");
        assertThat(SampleFrames.parse(update.tick()).get("priceSol").asDouble())
                .isEqualTo(53.93797509913754 / 596796597.218102);
    }
}
