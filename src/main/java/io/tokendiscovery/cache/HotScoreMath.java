package io.tokendiscovery.cache;

import java.time.Duration;

/**
 * The hot score: {@code hot(t) = sum over trades i of w_i x 2^(-(t - t_i) / halfLife)}, with
 * {@code w_i = usd_i + tradeWeightUsd}. Redis keeps it as {@code L = log2(sum of w_i x 2^((t_i - T0) / halfLife))},
 * updated per trade by the ingest script; {@code hot(t) = 2^(L - (t - T0) / halfLife)}. Ordering tokens by L is
 * ordering them by their decayed score at any instant, so the feed is always current without a decay pass.
 */
public final class HotScoreMath {

    /** 2023-11-14T22:13:20Z: the origin of the time shift; keeps L small (a few thousand). */
    static final long EPOCH_MILLIS = 1_700_000_000_000L;

    private final double halfLifeMillis;

    public HotScoreMath(Duration halfLife) {
        this.halfLifeMillis = halfLife.toMillis();
    }

    /** {@code (t - T0) / halfLife}: what a trade at {@code t} adds to log2 of its weight. */
    public double exponent(long atMillis) {
        return (atMillis - EPOCH_MILLIS) / halfLifeMillis;
    }

    /** The decayed score at {@code atMillis} of a token whose stored log score is {@code log}. */
    public double scoreAt(double log, long atMillis) {
        return Math.pow(2, log - exponent(atMillis));
    }
}
