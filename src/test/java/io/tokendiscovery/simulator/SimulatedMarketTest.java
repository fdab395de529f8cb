package io.tokendiscovery.simulator;

import io.tokendiscovery.ingest.SampleFrames;
import io.tokendiscovery.ingest.Base58;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokendiscovery.simulator.SimulatedFrame.Shape;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedMarketTest {

    /** Shares raised so that every shape shows up often in a short run. */
    static SimulatorProperties everyShape() {
        SimulatorProperties p = new SimulatorProperties();
        p.setCreateShare(0.1);
        p.setBonkShare(0.1);
        p.setBareCreateShare(0.2);
        p.setLegacyShare(0.1);
        p.setMayhemShare(0.2);
        p.setMaxActiveMints(20);
        p.setBuyBias(0.8);
        p.setMeanTradeSol(3);
        return p;
    }

    @Test
    void sameSeedGivesTheSameFrames() {
        List<SimulatedFrame> a = new SimulatedMarket(new SimulatorProperties(), 42).nextFrames(20_000);
        List<SimulatedFrame> b = new SimulatedMarket(new SimulatorProperties(), 42).nextFrames(20_000);
        List<SimulatedFrame> c = new SimulatedMarket(new SimulatorProperties(), 43).nextFrames(100);
        assertThat(a).isEqualTo(b);
        assertThat(a.stream().map(SimulatedFrame::json).toList())
                .isEqualTo(b.stream().map(SimulatedFrame::json).toList());
        assertThat(a.get(0).json()).isNotEqualTo(c.get(0).json());
    }

    @Test
    void seedComesFromThePropertiesOrIsRandom() {
        SimulatorProperties p = new SimulatorProperties();
        p.setSeed(99L);
        assertThat(new SimulatedMarket(p).seed()).isEqualTo(99L);
        assertThat(new SimulatedMarket(p).nextFrame()).isEqualTo(new SimulatedMarket(new SimulatorProperties(), 99L).nextFrame());
        assertThat(new SimulatedMarket(new SimulatorProperties()).seed())
                .isNotEqualTo(new SimulatedMarket(new SimulatorProperties()).seed());
    }

    @Test
    void everyShapeHasExactlyTheSampleKeysInTheSampleOrderAndTypes() {
        SimulatedMarket market = new SimulatedMarket(everyShape(), 1);
        Map<Shape, Integer> sampleOf = Map.of(
                Shape.CREATE, SampleFrames.CREATE,
                Shape.BARE_CREATE, SampleFrames.CREATE_WITHOUT_METADATA,
                Shape.BONK_CREATE, SampleFrames.CREATE_BONK,
                Shape.TRADE, SampleFrames.BUY,
                Shape.LEGACY_TRADE, SampleFrames.LEGACY_SELL,
                Shape.MIGRATE, SampleFrames.MIGRATE);
        List<String> ammKeys = List.of(
                "signature", "mint", "traderPublicKey", "txType", "tokenAmount", "solAmount", "newTokenBalance",
                "pool");
        Map<Shape, Integer> seen = new EnumMap<>(Shape.class);
        Set<String> txTypes = new HashSet<>();
        for (int i = 0; i < 30_000; i++) {
            SimulatedFrame f = market.nextFrame();
            JsonNode node = SampleFrames.parse(f.json());
            seen.merge(f.shape(), 1, Integer::sum);
            txTypes.add(f.txType());
            assertThat(node.get("txType").asText()).isEqualTo(f.txType());
            assertThat(node.get("mint").asText()).isEqualTo(f.mint());
            assertThat(node.get("signature").asText()).isEqualTo(f.signature());
            if (f.shape() == Shape.AMM_TRADE) {
                assertThat(SampleFrames.keys(node)).isEqualTo(ammKeys);
                assertThat(node.get("pool").asText()).isEqualTo("pump-amm");
                continue;
            }
            JsonNode sample = SampleFrames.json(sampleOf.get(f.shape()));
            assertThat(SampleFrames.keys(node)).as(f.json()).isEqualTo(SampleFrames.keys(sample));
            for (String key : SampleFrames.keys(sample)) {
                assertThat(node.get(key).getNodeType()).as(key + " in " + f.json())
                        .isEqualTo(sample.get(key).getNodeType());
            }
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrder(Shape.values());
        assertThat(txTypes).containsExactlyInAnyOrder("create", "buy", "sell", "migrate");
    }

    @Test
    void keysAreValidBase58OfSolanaLengths() {
        SimulatedMarket market = new SimulatedMarket(everyShape(), 2);
        for (int i = 0; i < 10_000; i++) {
            SimulatedFrame f = market.nextFrame();
            JsonNode node = SampleFrames.parse(f.json());
            assertThat(f.signature()).hasSizeBetween(87, 88);
            assertThat(Base58.decodesTo(f.signature(), 64)).as(f.signature()).isTrue();
            assertThat(Base58.decodesTo(f.mint(), 32)).as(f.mint()).isTrue();
            assertThat(f.mint()).hasSize(44);
            assertThat(f.mint()).endsWith(f.shape() == Shape.BONK_CREATE ? "bonk" : "pump");
            for (String key : List.of("traderPublicKey", "bondingCurveKey")) {
                if (node.has(key)) {
                    String v = node.get(key).asText();
                    assertThat(v).hasSizeBetween(43, 44);
                    assertThat(Base58.decodesTo(v, 32)).as(v).isTrue();
                }
            }
        }
    }

    @Test
    void pricesAreConsistentAndHoldingsNeverGoNegative() {
        SimulatedMarket market = new SimulatedMarket(everyShape(), 3);
        Map<String, Double> balance = new HashMap<>();
        Set<String> graduated = new HashSet<>();
        Map<String, String> completing = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            SimulatedFrame f = market.nextFrame();
            JsonNode node = SampleFrames.parse(f.json());
            if (f.hasReserves()) {
                assertThat(f.vSol()).isPositive().isFinite();
                assertThat(f.vTokens()).isBetween(BondingCurve.COMPLETE_VIRTUAL_TOKENS, BondingCurve.INITIAL_VIRTUAL_TOKENS);
                assertThat(node.get("vSolInBondingCurve").asDouble()).isEqualTo(f.vSol());
                assertThat(node.get("vTokensInBondingCurve").asDouble()).isEqualTo(f.vTokens());
                assertThat(node.get("marketCapSol").asDouble()).isEqualTo(f.vSol() / f.vTokens() * 1e9);
                assertThat(f.vSol() * f.vTokens()).isCloseTo(BondingCurve.K, offset(BondingCurve.K * 1e-9));
            }
            if (f.isTrade()) {
                String key = f.mint() + "/" + f.trader();
                double before = balance.getOrDefault(key, 0d);
                double amount = node.get("tokenAmount").asDouble();
                double after = node.get("newTokenBalance").asDouble();
                assertThat(amount).isPositive();
                if (f.txType().equals("buy")) {
                    assertThat(after).isCloseTo(before + amount, offset(2e-6));
                } else {
                    assertThat(amount).isLessThanOrEqualTo(before + 1e-6);
                    assertThat(after).isCloseTo(before - amount, offset(2e-6)).isGreaterThanOrEqualTo(0);
                }
                balance.put(key, after);
                if (f.shape() == Shape.AMM_TRADE) {
                    assertThat(graduated).contains(f.mint());
                } else {
                    assertThat(graduated).doesNotContain(f.mint());
                    assertThat(completing).doesNotContainKey(f.mint());
                    if (f.vTokens() == BondingCurve.COMPLETE_VIRTUAL_TOKENS) {
                        completing.put(f.mint(), f.signature());
                    }
                }
            } else if (f.isCreate() && f.tokenAmount() > 0) {
                balance.put(f.mint() + "/" + f.trader(), f.tokenAmount());
            } else if (f.isMigration()) {
                // the migrate frame follows the buy that completed the curve
                assertThat(completing).containsKey(f.mint());
                completing.remove(f.mint());
                graduated.add(f.mint());
            }
        }
        assertThat(graduated).isNotEmpty();
        assertThat(market.migrations()).isEqualTo(graduated.size());
    }

    @Test
    void tracksLastPricedFrameTradeCountAndVolumePerMint() {
        SimulatorProperties props = everyShape();
        props.setRetainedMintStats(1_000_000);
        SimulatedMarket market = new SimulatedMarket(props, 4);
        Map<String, SimulatedFrame> lastPriced = new HashMap<>();
        Map<String, Long> trades = new HashMap<>();
        Map<String, Double> volume = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            SimulatedFrame f = market.nextFrame();
            if (f.hasReserves()) {
                lastPriced.put(f.mint(), f);
            }
            if (f.isTrade()) {
                trades.merge(f.mint(), 1L, Long::sum);
                // legacy frames do not carry solAmount; the market still counts their SOL
                if (!Double.isNaN(f.solAmount())) {
                    volume.merge(f.mint(), f.solAmount(), Double::sum);
                }
            }
        }
        for (Map.Entry<String, SimulatedFrame> e : lastPriced.entrySet()) {
            assertThat(market.lastPricedFrame(e.getKey())).isSameAs(e.getValue());
        }
        for (Map.Entry<String, Long> e : trades.entrySet()) {
            MintStats s = market.mintStats(e.getKey());
            assertThat(s.trades()).isEqualTo(e.getValue());
            assertThat(s.buys() + s.sells()).isEqualTo(e.getValue());
            assertThat(market.tradeCount(e.getKey())).isEqualTo(e.getValue());
            assertThat(market.volumeSol(e.getKey())).isGreaterThanOrEqualTo(volume.getOrDefault(e.getKey(), 0d) - 1e-9);
        }
        long creates = market.allMintStats().size();
        assertThat(creates).isEqualTo(market.creates());
        assertThat(market.activeMints()).hasSize(market.activeMintCount()).hasSizeLessThanOrEqualTo(20);
        assertThat(market.lastPricedFrame("unknown")).isNull();
        assertThat(market.tradeCount("unknown")).isZero();
    }

    @Test
    void retiredMintStatsAreBounded() {
        SimulatorProperties props = everyShape();
        props.setRetainedMintStats(100);
        SimulatedMarket market = new SimulatedMarket(props, 5);
        market.nextFrames(20_000);
        assertThat(market.creates()).isGreaterThan(1_000);
        assertThat(market.knownMints()).hasSizeLessThanOrEqualTo(100 + 20);
        for (String mint : market.activeMints()) {
            assertThat(market.mintStats(mint).onCurve()).isTrue();
        }
    }

    @Test
    void defaultMixMatchesTheConfiguredShares() {
        SimulatedMarket market = new SimulatedMarket(new SimulatorProperties(), 6);
        Map<Shape, Integer> n = new EnumMap<>(Shape.class);
        int buys = 0;
        int trades = 0;
        int mayhem = 0;
        int total = 200_000;
        for (SimulatedFrame f : market.nextFrames(total)) {
            n.merge(f.shape(), 1, Integer::sum);
            if (f.isTrade()) {
                trades++;
                if (f.txType().equals("buy")) {
                    buys++;
                }
            }
            if (f.shape() == Shape.CREATE || f.shape() == Shape.BARE_CREATE) {
                if (f.json().contains("\"is_mayhem_mode\":true")) {
                    mayhem++;
                }
            }
        }
        int creates = n.get(Shape.CREATE) + n.get(Shape.BARE_CREATE) + n.get(Shape.BONK_CREATE);
        assertThat(creates / (double) total).isCloseTo(0.05, offset(0.005));
        assertThat(n.get(Shape.BONK_CREATE) / (double) creates).isCloseTo(0.01, offset(0.004));
        assertThat(n.get(Shape.BARE_CREATE) / (double) creates).isCloseTo(0.02, offset(0.005));
        assertThat(mayhem / (double) (creates - n.get(Shape.BONK_CREATE))).isCloseTo(0.05, offset(0.01));
        assertThat(n.get(Shape.LEGACY_TRADE) / (double) trades).isCloseTo(0.01, offset(0.003));
        // sells need a holder, so buys come out a little above the bias
        assertThat(buys / (double) trades).isBetween(0.58, 0.7);
        assertThat(n.get(Shape.MIGRATE)).isPositive();
        // zipf over heat: the busiest mints take a large share of the trades
        long[] perMint = market.allMintStats().stream().mapToLong(MintStats::trades).sorted().toArray();
        long top = 0;
        for (int i = perMint.length - 1; i >= perMint.length - perMint.length / 100; i--) {
            top += perMint[i];
        }
        assertThat(top / (double) trades).isGreaterThan(0.2);
    }
}
