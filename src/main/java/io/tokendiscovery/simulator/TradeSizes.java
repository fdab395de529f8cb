package io.tokendiscovery.simulator;

import java.util.SplittableRandom;

/**
 * How much SOL the simulated market's trades and creator buys move: log-normal draws around the configured mean,
 * clamped, computed with StrictMath so a seed's sequence does not depend on the JIT. Market thread only.
 */
final class TradeSizes {

    /** Sigma of the log-normal trade size. */
    static final double TRADE_SIZE_SIGMA = 1.2;
    /** Smallest trade in SOL; smaller draws are rounded up to it. */
    static final double MIN_TRADE_SOL = 0.00001;
    /** Share of creates whose creator buys nothing (initialBuy 0). */
    static final double NO_DEV_BUY_SHARE = 0.2;
    /** Largest creator initial buy in SOL. */
    static final double MAX_DEV_BUY_SOL = 40;

    private final SplittableRandom rng;
    private final double meanTradeSol;
    private final double tradeMu;
    private final double devBuyMu;

    TradeSizes(SplittableRandom rng, double meanTradeSol) {
        this.rng = rng;
        this.meanTradeSol = meanTradeSol;
        double sigma2 = TRADE_SIZE_SIGMA * TRADE_SIZE_SIGMA;
        this.tradeMu = StrictMath.log(meanTradeSol) - sigma2 / 2;
        this.devBuyMu = StrictMath.log(2 * meanTradeSol) - sigma2 / 2;
    }

    /** A trade's SOL, clamped to [{@link #MIN_TRADE_SOL}, 100 x the mean]. */
    double tradeSol() {
        return Math.max(MIN_TRADE_SOL, Math.min(100 * meanTradeSol, unclampedTradeSol()));
    }

    /** A trade-sized draw without clamping (a new mint's hype). */
    double unclampedTradeSol() {
        return logNormal(tradeMu);
    }

    /** The creator's initial buy in SOL; 0 for {@link #NO_DEV_BUY_SHARE} of creates. */
    double devBuySol() {
        if (rng.nextDouble() < NO_DEV_BUY_SHARE) {
            return 0;
        }
        return Math.max(MIN_TRADE_SOL, Math.min(MAX_DEV_BUY_SOL, logNormal(devBuyMu)));
    }

    /** Log-normal draw (Box-Muller with StrictMath, so the sequence does not depend on the JIT). */
    private double logNormal(double mu) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        double z = StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
        return StrictMath.exp(mu + TRADE_SIZE_SIGMA * z);
    }
}
