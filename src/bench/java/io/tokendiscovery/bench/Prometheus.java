package io.tokendiscovery.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One scrape of the app's {@code /actuator/prometheus} (text format), with the few reads the harness needs: a sum
 * over the series of a metric, a quantile gauge, and quantiles of a histogram between two scrapes (from bucket
 * deltas, linear inside a bucket, as Prometheus' histogram_quantile does).
 */
record Prometheus(Map<String, Double> series) {

    static Prometheus parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            try {
                series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            } catch (NumberFormatException e) {
                // NaN / odd lines: not needed
            }
        }
        return new Prometheus(series);
    }

    static Prometheus scrape(AppProcess app) throws Exception {
        return parse(app.get("/actuator/prometheus"));
    }

    /** Sum of every series of {@code name} whose labels contain every one of {@code labels} (e.g. {@code type="buy"}). */
    double sum(String name, String... labels) {
        double sum = 0;
        for (Map.Entry<String, Double> e : series.entrySet()) {
            if (metricName(e.getKey()).equals(name) && containsAll(e.getKey(), labels)) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    boolean has(String name) {
        return series.keySet().stream().anyMatch(k -> metricName(k).equals(name));
    }

    /** Cumulative bucket counts by upper bound of histogram {@code name} (without the _bucket suffix). */
    TreeMap<Double, Double> buckets(String name) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (Map.Entry<String, Double> e : series.entrySet()) {
            if (metricName(e.getKey()).equals(name + "_bucket")) {
                String le = label(e.getKey(), "le");
                double bound = "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                buckets.merge(bound, e.getValue(), Double::sum);
            }
        }
        return buckets;
    }

    /**
     * Quantiles of the observations made between {@code before} and {@code after}.
     *
     * @return one value per quantile, in the histogram's unit; NaN without observations
     */
    static List<Double> quantiles(Prometheus before, Prometheus after, String histogram, double... qs) {
        TreeMap<Double, Double> b = before.buckets(histogram);
        TreeMap<Double, Double> a = after.buckets(histogram);
        TreeMap<Double, Double> delta = new TreeMap<>();
        a.forEach((le, count) -> delta.put(le, count - b.getOrDefault(le, 0.0)));
        List<Double> result = new ArrayList<>();
        double total = delta.isEmpty() ? 0 : delta.lastEntry().getValue();
        for (double q : qs) {
            if (total <= 0) {
                result.add(Double.NaN);
                continue;
            }
            double rank = q * total;
            double lower = 0;
            double below = 0;
            double value = Double.NaN;
            for (Map.Entry<Double, Double> e : delta.entrySet()) {
                if (e.getValue() >= rank) {
                    double upper = e.getKey();
                    if (Double.isInfinite(upper)) {
                        value = lower; // beyond the last finite bucket: report its bound (a lower limit)
                    } else {
                        double inBucket = e.getValue() - below;
                        value = inBucket <= 0 ? upper : lower + (upper - lower) * (rank - below) / inBucket;
                    }
                    break;
                }
                lower = e.getKey();
                below = e.getValue();
            }
            result.add(value);
        }
        return result;
    }

    /** Observations of a histogram between two scrapes. */
    static double count(Prometheus before, Prometheus after, String histogram) {
        return after.sum(histogram + "_count") - before.sum(histogram + "_count");
    }

    private static String metricName(String key) {
        int brace = key.indexOf('{');
        return brace < 0 ? key : key.substring(0, brace);
    }

    private static boolean containsAll(String key, String... labels) {
        for (String label : labels) {
            if (!key.contains(label)) {
                return false;
            }
        }
        return true;
    }

    private static String label(String key, String label) {
        int start = key.indexOf(label + "=\"");
        if (start < 0) {
            return null;
        }
        start += label.length() + 2;
        return key.substring(start, key.indexOf('"', start));
    }
}
