package io.tokendiscovery.ingest;

import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.cache.TokenUpdate;
import io.tokendiscovery.ingest.FeedEvent.TokenCreated;
import io.tokendiscovery.ingest.FeedEvent.TokenMigrated;
import io.tokendiscovery.ingest.FeedEvent.TokenTraded;
import java.math.BigDecimal;
import org.springframework.stereotype.Component;

/**
 * Price math of PROTOCOL.md, turning a parsed event into the Redis change it causes: spot price
 * {@code vSol/vTokens}, fill price {@code solAmount/tokenAmount} when reserves are absent (dust under 0.01 SOL
 * skipped), bonding-curve progress, USD values at the current SOL/USD rate, running counters.
 * <p>
 * Every derived number is checked before it is used (and before any {@link BigDecimal} sees it): a price that is
 * not a finite, positive, normal double, or a volume, USD value or progress that is not finite, rejects the frame
 * with {@link RejectReason#INVALID_NUMBER} ({@link RejectReason#ABSURD_VALUE} when finite but too large), a
 * {@link FrameRejectedException} that is dead-lettered at once and never retried. {@link FrameParser}'s bounds make
 * this unreachable for parsed frames; the check keeps it so for any other caller. The trade and tick JSON are built
 * by concatenation: safe because signature, mint and trader are base58 (checked by the parser, and here that they
 * hold no JSON metacharacter) and every number is finite.
 */
@Component("tokenPricing")
public class TokenPricing {

    /** Official curve constants: the curve completes at 279.9M virtual tokens after selling 793.1M real ones. */
    static final double COMPLETE_VIRTUAL_TOKENS = 279_900_000d;
    static final double SELLABLE_TOKENS = 793_100_000d;
    /** Fill prices of smaller trades are mostly fees: not a price. */
    static final double DUST_SOL = 0.01;
    static final double SUPPLY = 1_000_000_000d;
    /**
     * Prices outside these are impossible: the parser's bounds give at least 1e-21 (one lamport for 1e12 tokens) and
     * at most 1e15 (1e9 SOL for one base unit); one order of magnitude of slack either side for rounding.
     */
    static final double MIN_PRICE_SOL = 1e-22;
    static final double MAX_PRICE_SOL = 1e16;

    private final SolUsdRate solUsd;
    private final double tradeWeightUsd;

    public TokenPricing(SolUsdRate solUsd, TokenDiscoveryProperties properties) {
        this.solUsd = solUsd;
        this.tradeWeightUsd = properties.hot().tradeWeightUsd();
    }

    public TokenUpdate create(TokenCreated e) {
        Double price = e.vSol() != null
                ? Double.valueOf(price("vSolInBondingCurve / vTokensInBondingCurve", e.vSol() / e.vTokens()))
                : e.marketCapSol() != null ? Double.valueOf(price("marketCapSol / 1e9", e.marketCapSol() / SUPPLY))
                : null;
        TokenUpdate.Builder update = TokenUpdate.builder(e.mint(), e.signature(), e.receiveSeq(), e.receivedAtMillis())
                .once("mint", e.mint())
                .once("first_seen_at", e.receivedAtMillis())
                .once("state", "NEW")
                .once("name", e.name())
                .once("symbol", e.symbol())
                .once("uri", e.uri())
                .once("creator", e.creator())
                .once("is_mayhem_mode", e.mayhem() ? "1" : "0")
                .latest("pool", e.pool())
                .newToken(e.receivedAtMillis());
        if (e.initialBuy() > 0 && e.solAmount() > 0) {
            // The creator's initial buy is the token's first trade.
            update.increment("trade_count", 1).increment("buy_count", 1);
            update.hot(addVolume(update, e.solAmount()) + tradeWeightUsd);
            update.latest("last_trade_ts", e.receivedAtMillis());
        }
        applyPrice(update, e.mint(), price, e.vSol(), e.vTokens(), e.receiveSeq(), e.receivedAtMillis());
        return update.build();
    }

    public TokenUpdate trade(TokenTraded e) {
        Double price = null;
        if (e.vSol() != null) {
            price = price("vSolInBondingCurve / vTokensInBondingCurve", e.vSol() / e.vTokens());
        } else if (e.solAmount() != null && e.solAmount() >= DUST_SOL) {
            price = price("solAmount / tokenAmount", e.solAmount() / e.tokenAmount());
        }
        finite("tokenAmount", e.tokenAmount(), FrameParser.MAX_TOKENS);
        jsonSafe("signature", e.signature(), RejectReason.INVALID_SIGNATURE);
        if (e.trader() != null) {
            jsonSafe("traderPublicKey", e.trader(), RejectReason.INVALID_MINT);
        }
        TokenUpdate.Builder update = TokenUpdate.builder(e.mint(), e.signature(), e.receiveSeq(), e.receivedAtMillis())
                .once("mint", e.mint())
                .once("first_seen_at", e.receivedAtMillis())
                .once("state", "NEW")
                .increment("trade_count", 1)
                .increment(e.buy() ? "buy_count" : "sell_count", 1)
                .latest("last_trade_ts", e.receivedAtMillis())
                .latest("pool", e.pool());
        double usd = e.solAmount() == null ? 0 : addVolume(update, e.solAmount());
        update.hot(usd + tradeWeightUsd);
        update.trade("{\"signature\":\"" + e.signature() + "\",\"side\":\"" + (e.buy() ? "buy" : "sell")
                + "\",\"tokenAmount\":" + e.tokenAmount()
                + (e.solAmount() == null ? "" : ",\"solAmount\":" + e.solAmount())
                + (price == null ? "" : ",\"priceSol\":" + price)
                + (e.trader() == null ? "" : ",\"trader\":\"" + e.trader() + "\"")
                + ",\"receivedAt\":" + e.receivedAtMillis() + "}");
        applyPrice(update, e.mint(), price, e.vSol(), e.vTokens(), e.receiveSeq(), e.receivedAtMillis());
        return update.build();
    }

    public TokenUpdate migrate(TokenMigrated e) {
        return TokenUpdate.builder(e.mint(), e.signature(), e.receiveSeq(), e.receivedAtMillis())
                .once("mint", e.mint())
                .once("first_seen_at", e.receivedAtMillis())
                .once("migrated_at", e.receivedAtMillis())
                .always("state", "MIGRATED")
                .always("bonding_progress", "100")
                .latest("pool", e.pool())
                .leavesGraduatingFeed()
                .build();
    }

    /** Progress in percent: {@code (1 - (vTokens - 279.9e6) / 793.1e6) x 100}, clamped to 0..100. */
    public static double bondingProgress(double vTokens) {
        finite("vTokensInBondingCurve", vTokens, FrameParser.MAX_TOKENS);
        double progress = (1 - (vTokens - COMPLETE_VIRTUAL_TOKENS) / SELLABLE_TOKENS) * 100;
        return Math.max(0, Math.min(100, progress));
    }

    /** @return the trade's USD value */
    private double addVolume(TokenUpdate.Builder update, double sol) {
        finite("solAmount", sol, FrameParser.MAX_SOL);
        double usd = finite("volume_usd", BigDecimal.valueOf(sol).multiply(solUsd.current()).doubleValue(),
                Double.MAX_VALUE);
        update.add("volume_sol", sol).add("volume_usd", usd);
        return usd;
    }

    private void applyPrice(TokenUpdate.Builder update, String mint, Double priceSol, Double vSol, Double vTokens,
            long seq, long receivedAt) {
        if (priceSol == null) {
            return;
        }
        BigDecimal usd = BigDecimal.valueOf(priceSol).multiply(solUsd.current());
        finite("price_usd", usd.doubleValue(), Double.MAX_VALUE);
        String priceUsd = usd.toPlainString();
        update.latest("price_sol", priceSol).latest("price_usd", priceUsd);
        if (vSol != null) {
            finite("vSolInBondingCurve", vSol, FrameParser.MAX_SOL);
            double progress = bondingProgress(vTokens);
            update.latest("v_sol_in_curve", vSol)
                    .latest("v_tokens_in_curve", vTokens)
                    .latest("bonding_progress", progress)
                    .progress(progress);
        }
        jsonSafe("mint", mint, RejectReason.INVALID_MINT);
        update.tick("{\"mint\":\"" + mint + "\",\"priceSol\":" + priceSol + ",\"priceUsd\":" + priceUsd
                + (vSol != null ? ",\"vSol\":" + vSol + ",\"vTokens\":" + vTokens : "")
                + ",\"seq\":" + seq + ",\"receivedAt\":" + receivedAt + "}");
    }

    /** A price: finite, positive and inside [MIN_PRICE_SOL, MAX_PRICE_SOL] (so never subnormal, never Infinity). */
    static double price(String what, double value) {
        if (!Double.isFinite(value) || !(value >= MIN_PRICE_SOL)) {
            throw new FrameRejectedException(RejectReason.INVALID_NUMBER, "price " + what + " = " + value
                    + " is not a positive price of at least " + MIN_PRICE_SOL);
        }
        if (value > MAX_PRICE_SOL) {
            throw new FrameRejectedException(RejectReason.ABSURD_VALUE, "price " + what + " = " + value
                    + " exceeds " + MAX_PRICE_SOL);
        }
        return value;
    }

    /** Finite, not negative, at most {@code max}. */
    static double finite(String what, double value, double max) {
        if (!Double.isFinite(value) || value < 0) {
            throw new FrameRejectedException(RejectReason.INVALID_NUMBER, what + " = " + value
                    + " is not a finite, non-negative number");
        }
        if (value > max) {
            throw new FrameRejectedException(RejectReason.ABSURD_VALUE, what + " = " + value + " exceeds " + max);
        }
        return value;
    }

    /** Goes into JSON between quotes unescaped: printable ASCII without quote or backslash (base58 always is). */
    private static void jsonSafe(String what, String value, RejectReason reason) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\\') {
                throw new FrameRejectedException(reason, what + " holds a character that is not base58");
            }
        }
    }
}
