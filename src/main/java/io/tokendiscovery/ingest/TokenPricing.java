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
 */
@Component("tokenPricing")
public class TokenPricing {

    /** Official curve constants: the curve completes at 279.9M virtual tokens after selling 793.1M real ones. */
    static final double COMPLETE_VIRTUAL_TOKENS = 279_900_000d;
    static final double SELLABLE_TOKENS = 793_100_000d;
    /** Fill prices of smaller trades are mostly fees: not a price. */
    static final double DUST_SOL = 0.01;
    static final double SUPPLY = 1_000_000_000d;

    private final SolUsdRate solUsd;
    private final double tradeWeightUsd;

    public TokenPricing(SolUsdRate solUsd, TokenDiscoveryProperties properties) {
        this.solUsd = solUsd;
        this.tradeWeightUsd = properties.hot().tradeWeightUsd();
    }

    public TokenUpdate create(TokenCreated e) {
        Double price = e.vSol() != null
                ? Double.valueOf(e.vSol() / e.vTokens())
                : e.marketCapSol() != null ? Double.valueOf(e.marketCapSol() / SUPPLY) : null;
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
            price = e.vSol() / e.vTokens();
        } else if (e.solAmount() != null && e.solAmount() >= DUST_SOL) {
            price = e.solAmount() / e.tokenAmount();
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
        double progress = (1 - (vTokens - COMPLETE_VIRTUAL_TOKENS) / SELLABLE_TOKENS) * 100;
        return Math.max(0, Math.min(100, progress));
    }

    /** @return the trade's USD value */
    private double addVolume(TokenUpdate.Builder update, double sol) {
        double usd = BigDecimal.valueOf(sol).multiply(solUsd.current()).doubleValue();
        update.add("volume_sol", sol).add("volume_usd", usd);
        return usd;
    }

    private void applyPrice(TokenUpdate.Builder update, String mint, Double priceSol, Double vSol, Double vTokens,
            long seq, long receivedAt) {
        if (priceSol == null) {
            return;
        }
        String priceUsd = BigDecimal.valueOf(priceSol).multiply(solUsd.current()).toPlainString();
        update.latest("price_sol", priceSol).latest("price_usd", priceUsd);
        if (vSol != null) {
            double progress = bondingProgress(vTokens);
            update.latest("v_sol_in_curve", vSol)
                    .latest("v_tokens_in_curve", vTokens)
                    .latest("bonding_progress", progress)
                    .progress(progress);
        }
        update.tick("{\"mint\":\"" + mint + "\",\"priceSol\":" + priceSol + ",\"priceUsd\":" + priceUsd
                + (vSol != null ? ",\"vSol\":" + vSol + ",\"vTokens\":" + vTokens : "")
                + ",\"seq\":" + seq + ",\"receivedAt\":" + receivedAt + "}");
    }
}
