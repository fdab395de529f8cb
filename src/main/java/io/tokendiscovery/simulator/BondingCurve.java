package io.tokendiscovery.simulator;

/**
 * pump.fun's constant-product bonding curve in display units (SOL and whole tokens), as the feed reports it:
 * launch at 1,073,000,000 virtual tokens and 30 virtual SOL (k = 32,190,000,000), complete when the 793,100,000
 * sellable tokens are sold, i.e. at 279,900,000 virtual tokens (about 115.005 virtual SOL).
 *
 * <p>The state is the token reserve; the SOL reserve is derived as {@code k / vTokens}. That is how the live feed's
 * numbers are made: the captured create ({@code solAmount 0.059259258}) gives {@code initialBuy 2115327.702796},
 * {@code vTokensInBondingCurve 1070884672.297204} and {@code vSolInBondingCurve 30.059259257999976} here bit for
 * bit. SOL amounts are rounded to lamports (9 decimals), token amounts down to 6 decimals, as on chain.
 *
 * <p>Also used, with {@link #amm}, as the post-graduation pump-amm pool: same math, never completes.
 *
 * <p>Not thread-safe.
 */
public final class BondingCurve {

    /** Virtual token reserve at launch. */
    public static final double INITIAL_VIRTUAL_TOKENS = 1_073_000_000d;
    /** Virtual SOL reserve at launch. */
    public static final double INITIAL_VIRTUAL_SOL = 30d;
    /** The curve's invariant: virtual SOL x virtual tokens. */
    public static final double K = INITIAL_VIRTUAL_SOL * INITIAL_VIRTUAL_TOKENS;
    /** Tokens sellable on the curve; when they are all sold the curve completes. */
    public static final double SELLABLE_TOKENS = 793_100_000d;
    /** Virtual token reserve at which the curve completes. */
    public static final double COMPLETE_VIRTUAL_TOKENS = INITIAL_VIRTUAL_TOKENS - SELLABLE_TOKENS;
    /** Total supply the feed's {@code marketCapSol} uses (also for mayhem tokens, whose real supply is 2 B). */
    public static final double TOTAL_SUPPLY = 1_000_000_000d;

    /** Amounts of one fill: SOL paid (buy) or received (sell), and tokens received (buy) or paid (sell). */
    public record Fill(double solAmount, double tokenAmount) {
        static final Fill NONE = new Fill(0, 0);
    }

    private final double k;
    private double vTokens;
    /** Tokens currently held by the market (bought minus sold); a sell can never return more than this. */
    private double tokensInMarket;
    private final double completeAt;
    private boolean complete;

    /** A fresh curve at launch reserves. */
    public BondingCurve() {
        this(K, INITIAL_VIRTUAL_TOKENS, 0, COMPLETE_VIRTUAL_TOKENS);
    }

    /**
     * A curve at given virtual reserves (e.g. read from a frame): its invariant is {@code vSol x vTokens}, the
     * tokens held by the market are {@code INITIAL_VIRTUAL_TOKENS - vTokens}.
     */
    public BondingCurve(double vSol, double vTokens) {
        this(checked(vSol) * checked(vTokens), vTokens, Math.max(0, INITIAL_VIRTUAL_TOKENS - vTokens),
                COMPLETE_VIRTUAL_TOKENS);
    }

    private BondingCurve(double k, double vTokens, double tokensInMarket, double completeAt) {
        this.k = checked(k);
        this.vTokens = checked(vTokens);
        this.tokensInMarket = tokensInMarket;
        this.completeAt = completeAt;
        this.complete = vTokens <= completeAt;
    }

    private static double checked(double reserve) {
        if (!(reserve > 0) || Double.isInfinite(reserve)) {
            throw new IllegalArgumentException("Reserves must be positive and finite: " + reserve);
        }
        return reserve;
    }

    /**
     * A pool that continues from the completed curve's reserves and never completes (the post-graduation pump-amm
     * pool, simplified: same price at the switch, no fees); every sellable token is in the market.
     */
    public static BondingCurve amm(double vSol, double vTokens) {
        return new BondingCurve(checked(vSol) * checked(vTokens), vTokens, SELLABLE_TOKENS, 0);
    }

    /** Spot price in SOL per token. */
    public static double priceSol(double vSol, double vTokens) {
        return vSol / vTokens;
    }

    /** Market cap in SOL exactly as the feed computes it: {@code vSol / vTokens x 1,000,000,000}. */
    public static double marketCapSol(double vSol, double vTokens) {
        return vSol / vTokens * TOTAL_SUPPLY;
    }

    /**
     * Buys with {@code solIn} SOL (rounded to lamports). The buy that would cross completion is capped at the
     * remaining sellable tokens and charged only the SOL they cost; the curve is then {@link #complete()}.
     *
     * @throws IllegalStateException when the curve has already completed
     */
    public Fill buy(double solIn) {
        if (complete) {
            throw new IllegalStateException("Curve is complete; it no longer trades");
        }
        double sol = roundSol(solIn);
        if (!(sol > 0) || Double.isInfinite(sol)) {
            return Fill.NONE;
        }
        double vSol = k / vTokens;
        double tokens = floorTokens(vTokens - k / (vSol + sol));
        if (vTokens - tokens <= completeAt) {
            tokens = roundTokens(vTokens - completeAt);
            sol = Math.max(1e-9, ceilSol(k / completeAt - vSol));
        }
        if (tokens <= 0) {
            return Fill.NONE;
        }
        vTokens = roundTokens(vTokens - tokens);
        if (vTokens <= completeAt) {
            vTokens = completeAt;
            complete = true;
        }
        tokensInMarket += tokens;
        return new Fill(sol, tokens);
    }

    /**
     * Sells {@code tokenIn} tokens, clamped to the tokens the market holds. Returns the SOL received (rounded down
     * to lamports) and the tokens actually sold.
     *
     * @throws IllegalStateException when the curve has already completed
     */
    public Fill sell(double tokenIn) {
        if (complete) {
            throw new IllegalStateException("Curve is complete; it no longer trades");
        }
        double tokens = Math.min(floorTokens(tokenIn), tokensInMarket);
        if (!(tokens > 0)) {
            return Fill.NONE;
        }
        double vSol = k / vTokens;
        double newTokens = roundTokens(vTokens + tokens);
        double sol = Math.max(0, floorSol(vSol - k / newTokens));
        vTokens = newTokens;
        tokensInMarket = Math.max(0, roundTokens(tokensInMarket - tokens));
        return new Fill(sol, tokens);
    }

    /** Tokens that {@code sol} SOL would buy now, without changing the curve (sizes sells in SOL terms). */
    public double tokensForSol(double sol) {
        return vTokens - k / (k / vTokens + sol);
    }

    public double vSol() {
        return k / vTokens;
    }

    public double vTokens() {
        return vTokens;
    }

    /** Tokens bought and not sold back. */
    public double tokensInMarket() {
        return tokensInMarket;
    }

    public double priceSol() {
        return priceSol(vSol(), vTokens);
    }

    public double marketCapSol() {
        return marketCapSol(vSol(), vTokens);
    }

    /** True once all sellable tokens are sold; the token then migrates and stops trading on the curve. */
    public boolean complete() {
        return complete;
    }

    /** Bonding progress in percent, as clients compute it: {@code (1 - (vTokens - 279.9e6) / 793.1e6) x 100}. */
    public double progressPercent() {
        double p = (1 - (vTokens - COMPLETE_VIRTUAL_TOKENS) / SELLABLE_TOKENS) * 100;
        return Math.max(0, Math.min(100, p));
    }

    static double roundSol(double sol) {
        return Math.round(sol * 1e9) / 1e9;
    }

    static double floorSol(double sol) {
        return floorToGrid(sol, 1e9);
    }

    static double ceilSol(double sol) {
        double scaled = sol * 1e9;
        double r = Math.rint(scaled);
        return r / 1e9 == sol ? sol : Math.ceil(scaled) / 1e9;
    }

    static double roundTokens(double tokens) {
        return Math.round(tokens * 1e6) / 1e6;
    }

    static double floorTokens(double tokens) {
        return floorToGrid(tokens, 1e6);
    }

    /**
     * Rounds down to a multiple of 1/scale; a value that already is one (as a double) stays as it is, which a bare
     * {@code floor(x * scale)} does not guarantee ({@code 34612903.225806 * 1e6} is just below the integer).
     */
    private static double floorToGrid(double x, double scale) {
        double scaled = x * scale;
        double r = Math.rint(scaled);
        return r / scale == x ? x : Math.floor(scaled) / scale;
    }

    @Override
    public String toString() {
        return "BondingCurve[vSol=" + vSol() + ", vTokens=" + vTokens + ", complete=" + complete + "]";
    }
}
