package io.tokendiscovery.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/** PNG charts of a run (XChart): the burst ramp per mode, and WAL / statements per 5 minutes at incident load. */
final class ReportChart {

    private ReportChart() {}

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    static void burst(Results results, Path file) throws Exception {
        if (results.bursts.isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(1000).height(600)
                .title("Burst: accepted frames/s and p99 frame->Redis by requested rate")
                .xAxisTitle("Requested frames/s").yAxisTitle("Accepted frames/s").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.setYAxisGroupTitle(1, "p99 frame->Redis (ms, log)");
        chart.getStyler().setYAxisLogarithmic(false);
        for (Results.Burst b : results.bursts) {
            List<Double> x = new ArrayList<>();
            List<Double> accepted = new ArrayList<>();
            List<Double> p99 = new ArrayList<>();
            for (WindowResult w : b.steps()) {
                x.add(Double.parseDouble(w.label()));
                accepted.add(w.acceptedPerSecond());
                p99.add(Double.isNaN(w.redisLatency()[1]) ? 0 : w.redisLatency()[1]);
            }
            String name = b.mode() + " (run " + b.run() + ")";
            chart.addSeries(name + " accepted/s", x, accepted);
            XYSeries latency = chart.addSeries(name + " p99 ms", x, p99);
            latency.setYAxisGroup(1);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static void incident(Results results, Path file) throws Exception {
        if (results.incidents.isEmpty()) {
            return;
        }
        Map<String, List<Double>> wal = new LinkedHashMap<>();
        Map<String, List<Double>> statements = new LinkedHashMap<>();
        for (Results.Incident i : results.incidents) {
            wal.computeIfAbsent(i.window().mode(), k -> new ArrayList<>())
                    .add(i.per5Min(i.window().postgres().walBytes()) / 1024 / 1024);
            statements.computeIfAbsent(i.window().mode(), k -> new ArrayList<>())
                    .add(i.per5Min(Math.max(0, i.window().postgres().statements())));
        }
        List<String> modes = new ArrayList<>(wal.keySet());
        CategoryChart chart = new CategoryChartBuilder().width(800).height(500)
                .title("Incident load: per 5 minutes (median of runs)").xAxisTitle("Mode")
                .yAxisTitle("WAL MB / writing statements (thousands)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.addSeries("WAL MB", modes, modes.stream().map(m -> orZero(Results.median(wal.get(m)))).toList());
        chart.addSeries("Writing statements (thousands)", modes,
                modes.stream().map(m -> orZero(Results.median(statements.get(m))) / 1000).toList());
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
