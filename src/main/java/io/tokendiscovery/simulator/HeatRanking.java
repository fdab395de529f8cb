package io.tokendiscovery.simulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The market's popularity model: the mints on their curve ranked by heat (an exponentially decaying sum of the SOL
 * they traded, time unit frames), and the Zipf draw that picks which of them trades next. Market thread only.
 */
final class HeatRanking {

    /** Heat decays by e every this many frames. */
    static final double HEAT_TIME_CONSTANT_FRAMES = 3000;

    private final SplittableRandom rng;
    private final double[] zipfCdf;
    /** Mints on their curve, hottest first. */
    private final ArrayList<MintState> ranked = new ArrayList<>();

    HeatRanking(SplittableRandom rng, int maxActiveMints, double zipfExponent) {
        this.rng = rng;
        this.zipfCdf = new double[maxActiveMints];
        double sum = 0;
        for (int r = 1; r <= maxActiveMints; r++) {
            sum += StrictMath.pow(r, -zipfExponent);
            zipfCdf[r - 1] = sum;
        }
    }

    int size() {
        return ranked.size();
    }

    boolean isEmpty() {
        return ranked.isEmpty();
    }

    MintState get(int index) {
        return ranked.get(index);
    }

    /** Ranks a new mint by its launch hype, at frame {@code seq}. */
    void insert(MintState m, double hype, long seq) {
        m.heat = StrictMath.log(hype) + seq / HEAT_TIME_CONSTANT_FRAMES;
        int lo = 0;
        int hi = ranked.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ranked.get(mid).heat >= m.heat) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        ranked.add(lo, m);
    }

    /** Removes and returns the coldest mint. */
    MintState removeColdest() {
        return ranked.remove(ranked.size() - 1);
    }

    void remove(int index) {
        ranked.remove(index);
    }

    /** Rank of the mint that trades next: rank r with probability proportional to r^-zipfExponent. */
    int pick() {
        int n = ranked.size();
        double u = rng.nextDouble() * zipfCdf[n - 1];
        int i = Arrays.binarySearch(zipfCdf, 0, n, u);
        if (i < 0) {
            i = -i - 1;
        }
        return Math.min(i, n - 1);
    }

    /** Adds a trade's {@code weight} to the heat of the mint at {@code index}, at frame {@code seq}, and re-ranks it. */
    void heatUp(int index, double weight, long seq) {
        MintState m = ranked.get(index);
        m.heat = logAddExp(m.heat, StrictMath.log(weight) + seq / HEAT_TIME_CONSTANT_FRAMES);
        while (index > 0 && ranked.get(index - 1).heat < m.heat) {
            ranked.set(index, ranked.get(index - 1));
            ranked.set(index - 1, m);
            index--;
        }
    }

    private static double logAddExp(double a, double b) {
        double max = Math.max(a, b);
        return max + StrictMath.log1p(StrictMath.exp(-Math.abs(a - b)));
    }
}
