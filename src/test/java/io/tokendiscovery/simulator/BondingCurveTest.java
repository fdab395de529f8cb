package io.tokendiscovery.simulator;

import io.tokendiscovery.ingest.SampleFrames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokendiscovery.simulator.BondingCurve.Fill;
import java.util.SplittableRandom;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class BondingCurveTest {

    @Test
    void launchesAtThirtySolAndOnePointZeroSevenThreeBillionTokens() {
        BondingCurve curve = new BondingCurve();
        assertThat(curve.vSol()).isEqualTo(30d);
        assertThat(curve.vTokens()).isEqualTo(1_073_000_000d);
        assertThat(curve.priceSol()).isEqualTo(30d / 1.073e9);
        assertThat(curve.marketCapSol()).isEqualTo(27.958993476234856); // the bare sample create's value
        assertThat(curve.complete()).isFalse();
        assertThat(curve.progressPercent()).isZero();
    }

    @Test
    void reproducesTheCapturedCreateBitForBit() {
        JsonNode create = SampleFrames.json(SampleFrames.CREATE);
        BondingCurve curve = new BondingCurve();
        Fill fill = curve.buy(create.get("solAmount").asDouble());
        assertThat(fill.tokenAmount()).isEqualTo(create.get("initialBuy").asDouble());
        assertThat(curve.vTokens()).isEqualTo(create.get("vTokensInBondingCurve").asDouble());
        assertThat(curve.vSol()).isEqualTo(create.get("vSolInBondingCurve").asDouble());
        assertThat(curve.marketCapSol()).isEqualTo(create.get("marketCapSol").asDouble());
    }

    @Test
    void marketCapIsPriceTimesOneBillionAsInTheSamples() {
        assertThat(BondingCurve.marketCapSol(30.059259257999976, 1070884672.297204))
                .isCloseTo(28.069557848389476, Percentage.withPercentage(1e-7));
        for (int i : new int[] {SampleFrames.CREATE, SampleFrames.BUY, SampleFrames.LEGACY_SELL}) {
            JsonNode f = SampleFrames.json(i);
            double vSol = f.get("vSolInBondingCurve").asDouble();
            double vTokens = f.get("vTokensInBondingCurve").asDouble();
            assertThat(BondingCurve.marketCapSol(vSol, vTokens)).isEqualTo(f.get("marketCapSol").asDouble());
            assertThat(new BondingCurve(vSol, vTokens).marketCapSol())
                    .isCloseTo(f.get("marketCapSol").asDouble(), Percentage.withPercentage(1e-7));
            // the captured reserves keep the launch invariant
            assertThat(vSol * vTokens).isCloseTo(BondingCurve.K, Percentage.withPercentage(1e-9));
        }
    }

    @Test
    void buyThenSellReturnsNearTheStart() {
        BondingCurve curve = new BondingCurve();
        Fill buy = curve.buy(2.5);
        assertThat(buy.solAmount()).isEqualTo(2.5);
        assertThat(buy.tokenAmount()).isPositive();
        assertThat(curve.vSol()).isCloseTo(32.5, offset(1e-6));
        assertThat(curve.priceSol()).isGreaterThan(30d / 1.073e9);

        Fill sell = curve.sell(buy.tokenAmount());
        assertThat(sell.tokenAmount()).isEqualTo(buy.tokenAmount());
        assertThat(sell.solAmount()).isCloseTo(2.5, offset(1e-6)).isLessThanOrEqualTo(2.5);
        assertThat(curve.vTokens()).isCloseTo(1_073_000_000d, offset(1e-5));
        assertThat(curve.vSol()).isCloseTo(30d, offset(1e-6));
        assertThat(curve.tokensInMarket()).isZero();
    }

    @Test
    void sellsNeverTakeMoreTokensThanWereBought() {
        BondingCurve curve = new BondingCurve();
        assertThat(curve.sell(1_000_000)).isEqualTo(new Fill(0, 0));
        Fill buy = curve.buy(1);
        Fill sell = curve.sell(buy.tokenAmount() * 10);
        assertThat(sell.tokenAmount()).isEqualTo(buy.tokenAmount());
        assertThat(curve.vTokens()).isLessThanOrEqualTo(BondingCurve.INITIAL_VIRTUAL_TOKENS);
        assertThat(curve.vSol()).isGreaterThan(0);
    }

    @Test
    void completesAtAbout115SolAnd279Point9MillionTokens() {
        BondingCurve curve = new BondingCurve();
        double paid = 0;
        Fill last = null;
        while (!curve.complete()) {
            last = curve.buy(3);
            paid += last.solAmount();
        }
        assertThat(curve.vTokens()).isEqualTo(279_900_000d);
        assertThat(curve.vSol()).isCloseTo(115.005, offset(0.001));
        assertThat(curve.marketCapSol()).isCloseTo(410.9, offset(0.1));
        assertThat(curve.progressPercent()).isEqualTo(100d);
        assertThat(paid).isCloseTo(85.005, offset(0.001));
        // the completing buy was capped to what was left
        assertThat(last.solAmount()).isLessThanOrEqualTo(3d);
        assertThat(curve.tokensInMarket()).isCloseTo(793_100_000d, offset(1e-3));
        assertThatThrownBy(() -> curve.buy(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> curve.sell(1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void oneHugeBuyIsCappedAtCompletion() {
        BondingCurve curve = new BondingCurve();
        Fill fill = curve.buy(10_000);
        assertThat(curve.complete()).isTrue();
        assertThat(fill.tokenAmount()).isEqualTo(793_100_000d);
        assertThat(fill.solAmount()).isCloseTo(85.005, offset(0.001));
    }

    @Test
    void reservesStayPositiveAndFiniteUnderRandomTrading() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int run = 0; run < 50; run++) {
            BondingCurve curve = new BondingCurve();
            double held = 0;
            for (int i = 0; i < 2_000 && !curve.complete(); i++) {
                if (rng.nextBoolean()) {
                    held += curve.buy(rng.nextDouble() * 5).tokenAmount();
                } else {
                    Fill f = curve.sell(rng.nextDouble() * held * 1.5);
                    assertThat(f.tokenAmount()).isLessThanOrEqualTo(held + 1e-6);
                    held -= f.tokenAmount();
                }
                assertThat(curve.vSol()).isPositive().isFinite();
                assertThat(curve.vTokens()).isPositive().isFinite()
                        .isLessThanOrEqualTo(BondingCurve.INITIAL_VIRTUAL_TOKENS + 1e-3);
                assertThat(curve.tokensInMarket()).isCloseTo(held, within(1e-3));
            }
        }
    }

    @Test
    void ammContinuesFromTheCompletedCurveAndNeverCompletes() {
        BondingCurve amm = BondingCurve.amm(115.00535905680601, 279_900_000d);
        for (int i = 0; i < 100; i++) {
            amm.buy(50);
        }
        assertThat(amm.complete()).isFalse();
        assertThat(amm.vTokens()).isPositive();
    }

    @Test
    void rejectsNonPositiveReserves() {
        assertThatThrownBy(() -> new BondingCurve(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BondingCurve(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
