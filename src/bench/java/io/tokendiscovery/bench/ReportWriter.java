package io.tokendiscovery.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** The Markdown report of a run: one table per scenario, then the targets, measured against the numbers. */
final class ReportWriter {

    private final BenchSettings settings;
    private final Results results;
    private final StringBuilder md = new StringBuilder();

    ReportWriter(BenchSettings settings, Results results) {
        this.settings = settings;
        this.results = results;
    }

    String write(String header) {
        md.append(header).append('\n');
        if (!results.incidents.isEmpty()) {
            incident();
        }
        if (!results.bursts.isEmpty()) {
            burst();
        }
        if (!results.many.isEmpty()) {
            many();
        }
        if (!results.syncs.isEmpty()) {
            syncs();
        }
        targets();
        if (!results.notes.isEmpty()) {
            md.append("\nNotes:\n\n");
            results.notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    private void incident() {
        md.append("\n### Incident load (41 swaps/s, <= 150 active mints), time-compressed\n");
        md.append("\nScale xk: 41 x k frames/s, one sync every 300 / k s, checkpoint_timeout 300 / k s (at least 30 s):"
                + " one compressed interval = one real 5-minute interval (same frames, tokens and swaps). Per-5-min"
                + " figures = window / measured intervals (write-through: x").append(settings.incidentScaleWriteThrough())
                .append(", one interval; the others: x").append(settings.incidentScale()).append(", ")
                .append(settings.incidentIntervals()).append(" intervals).\n\n");
        md.append("| Run | Mode | Scale | Frames/s accepted | App CPU (cores) | App RSS MB | Frame->Redis p50/p99/p999 ms |"
                + " Frame->UI p50/p99/p999 ms | Writing statements / 5 min | Rows written / 5 min |"
                + " Sync runs | Tokens per sync | WAL bytes / 5 min | WAL vs write-through | Checkpoints timed/req |"
                + " FPI / WAL records |\n");
        md.append("|---:|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (Results.Incident i : results.incidents) {
            WindowResult w = i.window();
            PostgresCounters pg = w.postgres();
            md.append(String.format(Locale.ROOT,
                    "| %d | %s | %s | %.1f | %.2f | %.0f | %s | %s | %s | %.0f | %d | %s | %s | %s | %d/%d | %s |\n",
                    i.run(), w.mode(), w.label(), w.acceptedPerSecond(), w.cpuCores(), mb(w.rssBytes()),
                    latency(w.redisLatency(), w.redisLatencySource()), latency(w.uiLatency(), null),
                    pg.statements() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", i.per5Min(pg.statements())),
                    i.per5Min(pg.rowsWritten()), w.syncRuns(),
                    w.syncRuns() == 0 ? "-" : String.format(Locale.ROOT, "%.0f", (double) w.syncTokens() / w.syncRuns()),
                    thousands(i.per5Min(pg.walBytes())), walVsWriteThrough(i), pg.checkpointsTimed(),
                    pg.checkpointsRequested(),
                    pg.fpiShare() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100 * pg.fpiShare())));
        }
    }

    private String walVsWriteThrough(Results.Incident i) {
        Optional<Results.Incident> wt = results.incidents.stream()
                .filter(o -> o.run() == i.run() && o.window().mode().equals(Mode.WRITE_THROUGH.label)).findFirst();
        if (wt.isEmpty() || wt.get().window().postgres().walBytes() <= 0) {
            return "n/a";
        }
        double share = i.per5Min(i.window().postgres().walBytes()) / wt.get().per5Min(wt.get().window().postgres().walBytes());
        return String.format(Locale.ROOT, "%.1f %% (1/%.0f)", 100 * share, 1 / share);
    }

    private void burst() {
        md.append("\n### Burst: firehose ramp (").append(settings.burstStep().toSeconds())
                .append(" s per step after 2 s to settle; knee: p99 frame->Redis > 1 s, frames lost, or < 95 % accepted)\n\n");
        md.append("| Run | Mode | Requested/s | Sent/s | Accepted/s | Lost | Skipped by simulator | Frame->Redis p50/p99/p999 ms |"
                + " Frame->UI p50/p99/p999 ms | App CPU (cores) | Redis CPU (cores) | Harness CPU (cores) | App RSS MB |"
                + " Knee |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|\n");
        for (Results.Burst b : results.bursts) {
            for (WindowResult w : b.steps()) {
                md.append(String.format(Locale.ROOT,
                        "| %d | %s | %s | %.0f | %.0f | %d | %d | %s | %s | %.2f | %.2f | %.2f | %.0f | %s |\n",
                        b.run(), w.mode(), w.label(), w.framesSent() / w.seconds(), w.acceptedPerSecond(),
                        w.framesLost(), w.framesSkipped(), latency(w.redisLatency(), w.redisLatencySource()),
                        latency(w.uiLatency(), null), w.cpuCores(), w.redisCores(), w.harnessCores(), mb(w.rssBytes()),
                        BurstScenario.isKnee(w) ? "**knee**" : ""));
            }
        }
    }

    private void many() {
        md.append("\n### Many tokens (").append(settings.manyTokens()).append(" distinct mints traded per interval, ")
                .append(settings.manyRate()).append(" frames/s, sync every ").append(settings.manyInterval().toSeconds())
                .append(" s)\n\n");
        md.append("| Run | Mode | Frames/s accepted | Frame->Redis p50/p99/p999 ms | App CPU (cores) | App RSS MB |"
                + " Sync runs | Tokens per sync | Sync median ms | Rows written | Writing statements | WAL bytes |"
                + " Redis used_memory MB | Token hashes | Redis bytes per token |\n");
        md.append("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Results.Many m : results.many) {
            WindowResult w = m.window();
            md.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %s | %.2f | %.0f | %d | %s | %.0f | %d | %s | %s | %.0f | %d | %s |\n",
                    m.run(), w.mode(), w.acceptedPerSecond(), latency(w.redisLatency(), w.redisLatencySource()),
                    w.cpuCores(), mb(w.rssBytes()), w.syncRuns(),
                    w.syncRuns() == 0 ? "-" : String.format(Locale.ROOT, "%.0f", (double) w.syncTokens() / w.syncRuns()),
                    w.syncMedianMillis(), w.postgres().rowsWritten(),
                    w.postgres().statements() < 0 ? "n/a" : Long.toString(w.postgres().statements()),
                    thousands(w.postgres().walBytes()), mb(w.redisUsedMemory()), w.redisTokens(),
                    w.redisTokens() == 0 ? "n/a" : thousands((double) w.redisUsedMemory() / w.redisTokens())));
        }
    }

    private void syncs() {
        md.append("\n### Sync duration per batch size vs the raw SQL floor (same batch; ").append(settings.syncReps())
                .append(" repetitions, medians)\n\n");
        md.append("| Batch | Pass | Runs | App sync ms (sync_run.duration_ms) | JMX call ms (incl. ack) | Floor ms |"
                + " App / floor (median of ratios) | Claim ms | Read ms (HMGET + arrays) | Write ms (tx incl. commit)"
                + " | Write / floor | Acknowledge ms | Claimed | Written |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<SyncBatchScenario.Result>> groups = new LinkedHashMap<>();
        for (SyncBatchScenario.Result r : results.syncs) {
            groups.computeIfAbsent(r.size() + " " + r.pass(), k -> new ArrayList<>()).add(r);
        }
        groups.forEach((key, rs) -> md.append(String.format(Locale.ROOT,
                "| %,d | %s | %d | %.1f | %.1f | %.1f | %.2fx | %.1f | %.1f | %.1f | %.2fx | %.1f | %d | %d |\n",
                rs.get(0).size(), rs.get(0).pass(),
                rs.size(), med(rs, SyncBatchScenario.Result::appMillis), med(rs, SyncBatchScenario.Result::callMillis),
                med(rs, SyncBatchScenario.Result::floorMillis), med(rs, SyncBatchScenario.Result::ratio),
                med(rs, r -> r.phase("claim")), med(rs, r -> r.phase("read")), med(rs, r -> r.phase("write")),
                med(rs, r -> r.phase("write") / r.floorMillis()), med(rs, r -> r.phase("acknowledge")),
                rs.get(0).claimed(), rs.get(0).written())));
    }

    private void targets() {
        md.append("\n### Targets (medians over the runs of this report)\n\n| Target | Measured | Met |\n|---|---|---|\n");
        // Ingest: the highest burst step of write-behind that was fully accepted with p99 < 50 ms.
        List<Double> sustained = new ArrayList<>();
        List<Double> rssAt20k = new ArrayList<>();
        for (Results.Burst b : results.bursts) {
            if (!b.mode().equals(Mode.WRITE_BEHIND.label)) {
                continue;
            }
            double best = 0;
            for (WindowResult w : b.steps()) {
                if (w.redisLatency()[1] < 50 && w.framesLost() == 0 && w.framesAccepted() >= 0.95 * w.framesSent()) {
                    best = Math.max(best, w.acceptedPerSecond());
                }
                if (w.label().equals("20000")) {
                    rssAt20k.add(mb(w.rssBytes()));
                }
            }
            sustained.add(best);
        }
        if (!sustained.isEmpty()) {
            double s = Results.median(sustained);
            row("Ingest >= 20,000 frames/s sustained, p99 frame->Redis < 50 ms (write-behind)",
                    String.format(Locale.ROOT, "%.0f frames/s (highest step accepted in full with p99 < 50 ms)", s), s >= 19_000);
            row("Stretch: 50,000 frames/s", String.format(Locale.ROOT, "%.0f frames/s", s), s >= 47_500);
        }
        if (!rssAt20k.isEmpty()) {
            double r = Results.median(rssAt20k);
            row("App RSS < 512 MB at 20,000 frames/s", String.format(Locale.ROOT, "%.0f MB", r), r < 512);
        }
        Optional<Double> wbRows = incidentMedian(Mode.WRITE_BEHIND, i -> i.per5Min(i.window().postgres().rowsWritten()));
        Optional<Double> wbTokens = incidentMedian(Mode.WRITE_BEHIND,
                i -> i.window().syncRuns() == 0 ? Double.NaN : (double) i.window().syncTokens() / i.window().syncRuns());
        Optional<Double> wtStatements = incidentMedian(Mode.WRITE_THROUGH, i -> i.per5Min(i.window().postgres().statements()));
        if (wbRows.isPresent() && wbTokens.isPresent()) {
            row("Incident: DB rows written per 5 min == distinct changed tokens (write-behind)",
                    String.format(Locale.ROOT, "%.0f rows vs %.0f tokens claimed per sync%s", wbRows.get(), wbTokens.get(),
                            wtStatements.map(s -> String.format(Locale.ROOT, "; write-through: %.0f writing statements", s)).orElse("")),
                    wbRows.get() <= wbTokens.get() * 1.02 + 1);
        }
        Optional<Double> wbWal = incidentMedian(Mode.WRITE_BEHIND, i -> i.per5Min(i.window().postgres().walBytes()));
        Optional<Double> wtWal = incidentMedian(Mode.WRITE_THROUGH, i -> i.per5Min(i.window().postgres().walBytes()));
        if (wbWal.isPresent() && wtWal.isPresent()) {
            double share = wbWal.get() / wtWal.get();
            row("Incident: WAL per 5 min <= 5 % of write-through's",
                    String.format(Locale.ROOT, "%s vs %s bytes = %.1f %%", thousands(wbWal.get()), thousands(wtWal.get()), 100 * share),
                    share <= 0.05);
        } else if (wbWal.isPresent()) {
            row("Incident: WAL per 5 min <= 5 % of write-through's", "write-through not measured in this run", null);
        }
        for (String pass : List.of("INSERT", "UPDATE")) {
            List<SyncBatchScenario.Result> big = results.syncs.stream()
                    .filter(r -> r.size() == 100_000 && r.pass().equals(pass)).toList();
            if (!big.isEmpty()) {
                double ratio = med(big, SyncBatchScenario.Result::ratio);
                row("Sync of 100,000 dirty tokens <= 1.5x the raw set-based upsert (" + pass + " pass)",
                        String.format(Locale.ROOT, "%.2fx (%.0f ms vs %.0f ms)", ratio,
                                med(big, SyncBatchScenario.Result::appMillis), med(big, SyncBatchScenario.Result::floorMillis)),
                        ratio <= 1.5);
            }
        }
        List<Double> perToken = results.many.stream().filter(m -> m.window().redisTokens() > 0)
                .map(m -> (double) m.window().redisUsedMemory() / m.window().redisTokens()).toList();
        if (!perToken.isEmpty()) {
            row("Redis memory per tracked token (reported)", String.format(Locale.ROOT,
                    "%s bytes (used_memory / token hashes, many-tokens run)", thousands(Results.median(perToken))), null);
        }
    }

    private Optional<Double> incidentMedian(Mode mode, Function<Results.Incident, Double> f) {
        List<Double> values = results.incidents.stream().filter(i -> i.window().mode().equals(mode.label)).map(f).toList();
        return values.isEmpty() ? Optional.empty() : Optional.of(Results.median(values));
    }

    private void row(String target, String measured, Boolean met) {
        md.append("| ").append(target).append(" | ").append(measured).append(" | ")
                .append(met == null ? "-" : met ? "yes" : "**no**").append(" |\n");
    }

    private static <T> double med(List<T> rows, ToDoubleFunction<T> f) {
        return Results.median(rows.stream().map(r -> f.applyAsDouble(r)).toList());
    }

    static double mb(long bytes) {
        return bytes / 1024.0 / 1024.0;
    }

    static String thousands(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String latency(double[] q, String source) {
        if (q == null || Double.isNaN(q[0])) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", q[0], q[1], q[2])
                + (source == null || source.equals("app timer") ? "" : " (" + source + ")");
    }
}
