package io.tokendiscovery.bench;

import java.util.Arrays;

/** Latencies in milliseconds, kept whole (a run has at most a few million), read as exact percentiles per window. */
final class LatencyRecorder {

    private double[] values = new double[1 << 16];
    private int size;

    synchronized void record(double millis) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = millis;
    }

    /** @return the values recorded since the last drain, and forget them */
    synchronized double[] drain() {
        double[] out = Arrays.copyOf(values, size);
        size = 0;
        return out;
    }

    /** Nearest-rank percentiles; NaN for an empty sample. */
    static double[] percentiles(double[] sample, double... qs) {
        double[] sorted = sample.clone();
        Arrays.sort(sorted);
        double[] result = new double[qs.length];
        for (int i = 0; i < qs.length; i++) {
            result[i] = sorted.length == 0 ? Double.NaN
                    : sorted[Math.min(sorted.length - 1, (int) Math.ceil(qs[i] * sorted.length) - 1)];
        }
        return result;
    }
}
