package io.tokendiscovery.simulator;

/**
 * One server frame the market produced: the exact JSON text sent on the wire plus the values a test needs to check
 * what a consumer stored, without parsing the JSON again. Numeric fields the frame does not carry are
 * {@link Double#NaN}; string fields it does not carry are {@code null}.
 *
 * @param seq          1-based position in the market's frame sequence
 * @param shape        which of the feed's frame shapes this is
 * @param json         the frame as sent
 * @param signature    transaction signature (base58, 87-88 chars)
 * @param mint         token mint (base58, 44 chars ending in "pump" for pump tokens, "bonk" for bonk tokens)
 * @param txType       {@code create}, {@code buy}, {@code sell} or {@code migrate}
 * @param trader       {@code traderPublicKey} (creator for creates); {@code null} for migrations
 * @param pool         {@code pool} field; {@code null} when the shape has none (legacy trades)
 * @param solAmount    {@code solAmount}; NaN when absent (legacy trades, migrations)
 * @param tokenAmount  {@code tokenAmount} for trades, {@code initialBuy} for creates; NaN for migrations
 * @param vSol         {@code vSolInBondingCurve} after the event; NaN when absent
 * @param vTokens      {@code vTokensInBondingCurve} after the event; NaN when absent
 * @param marketCapSol {@code marketCapSol}; NaN when absent
 */
public record SimulatedFrame(
        long seq,
        Shape shape,
        String json,
        String signature,
        String mint,
        String txType,
        String trader,
        String pool,
        double solAmount,
        double tokenAmount,
        double vSol,
        double vTokens,
        double marketCapSol) {

    /** The frame shapes of the live feed (see shared/pumpportal/samples). */
    public enum Shape {
        /** pump create with name, symbol and uri. */
        CREATE,
        /** pump create without name, symbol and uri. */
        BARE_CREATE,
        /** create from the bonk launchpad: solInPool/tokensInPool, no bonding-curve fields. */
        BONK_CREATE,
        /** buy or sell on the bonding curve, current shape. */
        TRADE,
        /** buy or sell in the 2024 shape: no solAmount, no pool. */
        LEGACY_TRADE,
        /** buy or sell on the post-graduation pool: pool "pump-amm", no reserves, no marketCapSol. */
        AMM_TRADE,
        /** graduation: exactly signature, mint, txType, pool. */
        MIGRATE
    }

    public boolean isCreate() {
        return shape == Shape.CREATE || shape == Shape.BARE_CREATE || shape == Shape.BONK_CREATE;
    }

    public boolean isTrade() {
        return shape == Shape.TRADE || shape == Shape.LEGACY_TRADE || shape == Shape.AMM_TRADE;
    }

    public boolean isMigration() {
        return shape == Shape.MIGRATE;
    }

    /** True when the frame carries bonding-curve reserves (and so a price). */
    public boolean hasReserves() {
        return !Double.isNaN(vSol) && !Double.isNaN(vTokens);
    }

    /** Spot price in SOL per token from the reserves; NaN without reserves. */
    public double priceSol() {
        return hasReserves() ? vSol / vTokens : Double.NaN;
    }

    @Override
    public String toString() {
        return json;
    }
}
