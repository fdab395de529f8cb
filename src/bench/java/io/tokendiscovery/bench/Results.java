package io.tokendiscovery.bench;

import java.util.ArrayList;
import java.util.List;

/** Everything one benchmark run measured, by scenario; run = repetition index. */
final class Results {

    record Incident(int run, WindowResult window, int intervals) {

        /** Per compressed interval = per real 5 minutes (see {@link IncidentScenario}). */
        double per5Min(double total) {
            return total / intervals;
        }
    }

    record Burst(int run, String mode, List<WindowResult> steps) {}

    record Many(int run, WindowResult window, int intervals) {}

    final List<Incident> incidents = new ArrayList<>();
    final List<Burst> bursts = new ArrayList<>();
    final List<Many> many = new ArrayList<>();
    final List<SyncBatchScenario.Result> syncs = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    static double median(List<Double> values) {
        List<Double> v = values.stream().filter(d -> !Double.isNaN(d)).sorted().toList();
        if (v.isEmpty()) {
            return Double.NaN;
        }
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
