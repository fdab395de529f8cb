package io.tokendiscovery.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokendiscovery.TestProperties;
import io.tokendiscovery.SqlStatements;
import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.sync.SyncClaim;
import io.tokendiscovery.sync.SyncReport;
import io.tokendiscovery.sync.SyncReports;
import io.tokendiscovery.sync.TokenBatchWriter;
import io.tokendiscovery.sync.TokenSnapshots;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Which way of writing a write-behind batch to {@code token_discovery} is fastest, and how much WAL each writes.
 *
 * <p>Forms, each writing the same synthetic batch (all rows eligible) in ONE transaction:
 * <ul>
 *   <li><b>floor</b>: {@code routes/sql/upsert-token-batch.sql} over plain pgjdbc (a PreparedStatement with one
 *       text[] per column, RETURNING rows read, commit): the cost of the statement itself;</li>
 *   <li><b>A</b>: the real {@link TokenBatchWriter} (the same file through NamedParameterJdbcTemplate, under a
 *       savepoint, plus its {@code sync_run} row);</li>
 *   <li><b>B</b>: a JDBC batch of single-row upserts with the same semantics ({@link UpsertStatements#singleRow}),
 *       {@code addBatch} per row, one {@code executeBatch}, pgjdbc defaults (what camel-sql {@code batch=true}
 *       does);</li>
 *   <li><b>C</b>: B on a connection with {@code reWriteBatchedInserts=true};</li>
 *   <li><b>D</b>, for reference only (not the same semantics, see {@link UpsertStatements#singleRowValues}): the
 *       {@code INSERT ... VALUES} shape that {@code reWriteBatchedInserts} can rewrite, batched like C.</li>
 * </ul>
 * For every size, an INSERT pass (new rows into the emptied table) and an UPDATE pass (the same mints with a higher
 * version and new prices, counts and volumes; before every run the table is emptied, the INSERT pass's rows copied
 * back and VACUUMed, so every UPDATE run starts from the same state), each 1 warm-up + {@code bench.reps} timed runs
 * per form, the forms taking turns (round robin, order rotated every round), with a CHECKPOINT before every run;
 * the timed window is the call that writes and commits the batch. WAL = {@code pg_wal_lsn_diff} of the WAL insert
 * position ({@code pg_current_wal_insert_lsn()}) around the run (server-wide). After every run the table is checked
 * (every row at the step's version), and every form must leave the same table contents as the first one.
 *
 * <p>Not a test ({@code ./mvnw verify} skips it: the name does not end in Test). Run it with
 * {@code ./mvnw test -Dtest=UpsertFormsBenchmark -Dsurefire.failIfNoSpecifiedTests=false}, optionally
 * {@code -Dbench.jdbcUrl=jdbc:postgresql://127.0.0.1:5432/test?user=postgres} (an existing server: a schema of its
 * own, dropped at the end), {@code -Dbench.sizes=1000,10000,100000}, {@code -Dbench.reps=5},
 * {@code -Dbench.forms=floor,A,B,C,D}, {@code -Dbench.largeReps=N} (timed runs of the row-batch forms B, C, D at
 * {@code bench.largeSize} (100000) rows and more, several seconds each; default: 3, or {@code bench.reps} when
 * smaller). Prints a Markdown table and writes it to {@code target/bench/upsert-forms.md} (per-run figures:
 * {@code target/bench/upsert-forms-runs.csv}; the statements as executed:
 * {@code target/bench/upsert-forms-statements.sql}). Figures and conclusions: docs/benchmarks.md.
 */
class UpsertFormsBenchmark {

    enum Form {
        FLOOR("floor", "`upsert-token-batch.sql` over plain JDBC: one statement, text[] per column"),
        A("A", "`TokenBatchWriter.write` (same statement via NamedParameterJdbcTemplate, savepoint, `sync_run` row)"),
        B("B", "JDBC batch of single-row upserts (`addBatch` per row, `executeBatch`), pgjdbc defaults"),
        C("C", "B with `reWriteBatchedInserts=true`"),
        D("D", "reference only, NOT the same semantics: `INSERT ... VALUES (...) ON CONFLICT ... DO UPDATE ... WHERE "
                + "t.version < EXCLUDED.version` without the lazy-persistence filter (the shape pgjdbc can rewrite; "
                + "same rows here because every row is eligible), JDBC batch with `reWriteBatchedInserts=true`");

        final String label;
        final String description;

        Form(String label, String description) {
            this.label = label;
            this.description = description;
        }

        static Form of(String label) {
            for (Form form : values()) {
                if (form.label.equalsIgnoreCase(label.strip())) {
                    return form;
                }
            }
            throw new IllegalArgumentException("Unknown form " + label + " (floor, A, B, C, D)");
        }
    }

    enum Pass { INSERT, UPDATE }

    record Run(double millis, long walBytes) {}

    private record Key(Form form, int rows, Pass pass) {}

    /** What a form reports about one write (rows written as far as it can tell). */
    private record Written(int rows, String note) {}

    private interface FormWriter extends AutoCloseable {
        Written write(Map<String, Object> batch, List<String> mints) throws Exception;

        @Override
        default void close() throws Exception {}
    }

    @Test
    void measureUpsertForms() throws Exception {
        quietLogging();
        List<Integer> sizes = Arrays.stream(System.getProperty("bench.sizes", "1000,10000,100000").split(","))
                .map(String::strip).map(Integer::parseInt).toList();
        int reps = Integer.getInteger("bench.reps", 5);
        int largeSize = Integer.getInteger("bench.largeSize", 100_000);
        int largeReps = Integer.getInteger("bench.largeReps", Math.min(reps, 3));
        List<Form> forms = Arrays.stream(System.getProperty("bench.forms", "floor,A,B,C,D").split(","))
                .map(Form::of).toList();
        String externalUrl = System.getProperty("bench.jdbcUrl", "");

        String loadAtStart = loadAverage();
        TokenDiscoveryProperties properties = TestProperties.defaults();
        // camel-sql's :#name parameters as Spring's :name (SqlStatements.named does the same for the app)
        String file = Files.readString(Path.of(properties.sync().sqlDirectory(), "upsert-token-batch.sql"))
                .replace(":#", ":");
        UpsertStatements.Jdbc setBased = UpsertStatements.setBased(file);
        UpsertStatements.Jdbc singleRow = UpsertStatements.singleRow(file);
        UpsertStatements.Jdbc singleRowValues = UpsertStatements.singleRowValues(file);
        String[][] columns = snapshotColumns();
        List<String> expectedParameters = new ArrayList<>();
        for (String[] column : columns) {
            expectedParameters.add(column[1]);
        }
        // the ON CONFLICT part's state rule
        expectedParameters.add("activeMinTrades");
        List<String> valuesParameters = new ArrayList<>(expectedParameters);
        // the lazy-persistence WHERE, which the VALUES form leaves out
        expectedParameters.add("minTrades");
        expectedParameters.add("minVolumeUsd");
        assertThat(new TreeSet<>(setBased.parameters())).as("parameters of upsert-token-batch.sql")
                .isEqualTo(new TreeSet<>(expectedParameters));
        assertThat(singleRow.parameters()).isEqualTo(setBased.parameters());
        assertThat(new TreeSet<>(singleRowValues.parameters())).isEqualTo(new TreeSet<>(valuesParameters));

        Map<Key, List<Run>> results = new LinkedHashMap<>();
        Map<Form, String> notes = new EnumMap<>(Form.class);
        List<String> consistency = new ArrayList<>();
        List<String> loads = new ArrayList<>();
        long started = System.nanoTime();
        Map<String, String> settings;
        boolean checkpoints;
        boolean embedded;
        try (BenchDatabase db = BenchDatabase.open(externalUrl)) {
            settings = db.serverSettings();
            checkpoints = db.canCheckpoint();
            embedded = db.isEmbedded();
            System.out.printf("Upsert forms benchmark: PostgreSQL %s (%s), schema %s, sizes %s, %d runs after 1 "
                    + "warm-up, forms %s%n", settings.get("server_version"), embedded ? "embedded" : externalUrl,
                    db.schema(), sizes, reps, forms);
            for (int size : sizes) {
                SyntheticTokens tokens = new SyntheticTokens(size, columns, properties.persistence().minTrades(),
                        properties.persistence().minVolumeUsd());
                Map<Pass, Map<String, Object>> batches = new EnumMap<>(Pass.class);
                batches.put(Pass.INSERT, tokens.batch(0));
                batches.put(Pass.UPDATE, tokens.batch(1));
                Map<Form, FormWriter> writers = new EnumMap<>(Form.class);
                try {
                    for (Form form : forms) {
                        writers.put(form, open(form, db, properties, setBased, singleRow, singleRowValues));
                    }
                    // The state every UPDATE run starts from: the step-0 rows, copied back before each run.
                    db.execute("TRUNCATE token_discovery");
                    try (FormWriter seed = open(Form.FLOOR, db, properties, setBased, singleRow, singleRowValues)) {
                        seed.write(batches.get(Pass.INSERT), tokens.mints());
                    }
                    db.execute("DROP TABLE IF EXISTS bench_seed");
                    db.execute("CREATE TABLE bench_seed AS SELECT * FROM token_discovery");
                    Map<Pass, String> referenceChecksum = new EnumMap<>(Pass.class);
                    String contentHash = "SELECT sum(hashtextextended(ROW(" + db.queryString("SELECT string_agg("
                            + "quote_ident(column_name), ', ' ORDER BY ordinal_position) "
                            + "FROM information_schema.columns WHERE table_schema = current_schema() "
                            + "AND table_name = 'token_discovery' AND column_name <> 'last_synced_at'")
                            + ")::text, 0))::text || '/' || count(*) FROM token_discovery";
                    for (Pass pass : Pass.values()) {
                        int step = pass == Pass.INSERT ? 0 : 1;
                        for (Form form : forms) {
                            results.put(new Key(form, size, pass), new ArrayList<>());
                        }
                        // Round robin, the order rotated every round, so drift on a noisy machine hits all forms.
                        for (int run = 0; run <= Math.max(reps, largeReps); run++) {
                            for (int f = 0; f < forms.size(); f++) {
                                Form form = forms.get((f + run) % forms.size());
                                int timedRuns = form.compareTo(Form.B) >= 0 && size >= largeSize ? largeReps : reps;
                                if (run > timedRuns) {
                                    continue;
                                }
                                long prepared = System.nanoTime();
                                db.execute("TRUNCATE token_discovery");
                                if (pass == Pass.UPDATE) {
                                    db.execute("INSERT INTO token_discovery SELECT * FROM bench_seed");
                                    db.execute("VACUUM token_discovery");
                                }
                                long seeded = System.nanoTime();
                                db.checkpoint();
                                long checkpointed = System.nanoTime();
                                Map<String, Object> batch = batches.get(pass);
                                List<String> mints = tokens.mints();
                                String walBefore = db.currentWalLsn();
                                long t0 = System.nanoTime();
                                Written written = writers.get(form).write(batch, mints);
                                long t1 = System.nanoTime();
                                String walAfter = db.currentWalLsn();
                                long wal = db.walBytesBetween(walBefore, walAfter);
                                long atVersion = db.queryLong("SELECT count(*) FROM token_discovery WHERE version = "
                                        + SyntheticTokens.version(step));
                                long total = db.queryLong("SELECT count(*) FROM token_discovery");
                                assertThat(atVersion).as("%s %s %d rows, run %d: rows at the new version",
                                        form.label, pass, size, run).isEqualTo(size);
                                assertThat(total).isEqualTo(size);
                                if (written.rows() >= 0) {
                                    assertThat(written.rows()).as("%s %s %d: rows reported", form.label, pass, size)
                                            .isEqualTo(size);
                                }
                                if (written.note() != null) {
                                    notes.put(form, written.note());
                                }
                                loads.add(loadAverage().split(" ")[0]);
                                if (run == 0) {
                                    // every form's warm-up must leave exactly the same table contents
                                    String checksum = db.queryString(contentHash);
                                    String reference = referenceChecksum.putIfAbsent(pass, checksum);
                                    assertThat(checksum).as("%s %s %d rows: same table contents as the other forms",
                                            form.label, pass, size).isEqualTo(reference == null ? checksum : reference);
                                } else {
                                    results.get(new Key(form, size, pass)).add(new Run((t1 - t0) / 1e6, wal));
                                }
                                System.out.printf(Locale.ROOT, "  %-5s %7d %-6s %-7s %9.1f ms  WAL %,d bytes  "
                                        + "(untimed: reset %.0f ms, checkpoint %.0f ms, checks %.0f ms)%n",
                                        form.label, size, pass, run == 0 ? "warm-up" : "run " + run,
                                        (t1 - t0) / 1e6, wal, (seeded - prepared) / 1e6,
                                        (checkpointed - seeded) / 1e6, (System.nanoTime() - t1) / 1e6);
                            }
                        }
                    }
                    consistency.add(size + " rows: every form left the same table contents after its INSERT and "
                            + "its UPDATE warm-up (sum of row hashes, all columns but last_synced_at / rows: "
                            + referenceChecksum.values() + ")");
                    db.execute("DROP TABLE bench_seed");
                } finally {
                    for (FormWriter writer : writers.values()) {
                        writer.close();
                    }
                }
            }
        }
        double minutes = (System.nanoTime() - started) / 6e10;
        String report = report(results, notes, consistency, settings, embedded, checkpoints, reps, largeSize,
                largeReps, minutes, loadAtStart, loadAverage(), loads);
        Path out = Files.createDirectories(Path.of("target", "bench"));
        Files.writeString(out.resolve("upsert-forms.md"), report);
        Files.writeString(out.resolve("upsert-forms-runs.csv"), csv(results));
        Files.writeString(out.resolve("upsert-forms-statements.sql"), "-- floor and A (parameters: "
                + setBased.parameters() + ")\n" + setBased.sql() + ";\n\n-- B and C, one row per addBatch (parameters: "
                + singleRow.parameters() + ")\n" + singleRow.sql() + ";\n\n-- D, reference only (parameters: "
                + singleRowValues.parameters() + ")\n" + singleRowValues.sql() + ";\n");
        System.out.println();
        System.out.println(report);
    }

    private static FormWriter open(Form form, BenchDatabase db, TokenDiscoveryProperties properties,
            UpsertStatements.Jdbc setBased, UpsertStatements.Jdbc singleRow, UpsertStatements.Jdbc singleRowValues)
            throws SQLException {
        return switch (form) {
            case FLOOR -> floor(db.connect(false), setBased);
            case A -> bean(db.pool(), properties);
            case B -> rowBatch(db.connect(false), singleRow);
            case C -> rowBatch(db.connect(true), singleRow);
            case D -> rowBatch(db.connect(true), singleRowValues);
        };
    }

    /** The statement of the file, straight over pgjdbc: one PreparedStatement, a text[] per column. */
    private static FormWriter floor(Connection connection, UpsertStatements.Jdbc statement) throws SQLException {
        FloorUpsert floor = new FloorUpsert(connection, statement);
        return new FormWriter() {
            @Override
            public Written write(Map<String, Object> batch, List<String> mints) throws SQLException {
                return new Written(floor.write(batch), null);
            }

            @Override
            public void close() throws SQLException {
                floor.close();
            }
        };
    }

    /** The real bean, wired by hand as the application wires it (HikariCP, one transaction per batch). */
    private static FormWriter bean(HikariDataSource pool, TokenDiscoveryProperties properties) {
        NamedParameterJdbcTemplate named = new NamedParameterJdbcTemplate(pool);
        TokenBatchWriter writer = new TokenBatchWriter(pool, named,
                new TransactionTemplate(new DataSourceTransactionManager(pool)), new ObjectMapper(),
                new SqlStatements(properties), properties, new SimpleMeterRegistry());
        return new FormWriter() {
            @Override
            public Written write(Map<String, Object> batch, List<String> mints) {
                TokenBatchWriter.Written written = writer.writeRows(batch, "bench");
                if (written.deadLettered() != 0) {
                    throw new IllegalStateException("Unexpected dead letters: " + written);
                }
                return new Written(written.inserted() + written.updated(), null);
            }

            @Override
            public void close() {
                pool.close();
            }
        };
    }

    /** One single-row upsert per token, batched: addBatch per row, one executeBatch, one commit. */
    private static FormWriter rowBatch(Connection connection, UpsertStatements.Jdbc statement) throws SQLException {
        connection.setAutoCommit(false);
        return new FormWriter() {
            @Override
            public Written write(Map<String, Object> batch, List<String> mints) throws SQLException {
                int rows = (Integer) batch.get(TokenSnapshots.ROWS);
                List<String> names = statement.parameters();
                Object[] values = new Object[names.size()];
                for (int p = 0; p < values.length; p++) {
                    values[p] = batch.get(names.get(p));
                }
                int[] counts;
                try (PreparedStatement ps = connection.prepareStatement(statement.sql())) {
                    for (int row = 0; row < rows; row++) {
                        for (int p = 0; p < values.length; p++) {
                            if (values[p] instanceof String[] column) {
                                String value = column[row];
                                if (value == null) {
                                    ps.setNull(p + 1, Types.VARCHAR);
                                } else {
                                    ps.setString(p + 1, value);
                                }
                            } else {
                                ps.setObject(p + 1, values[p]);
                            }
                        }
                        ps.addBatch();
                    }
                    counts = ps.executeBatch();
                }
                connection.commit();
                int updated = 0;
                int noInfo = 0;
                for (int count : counts) {
                    if (count == Statement.SUCCESS_NO_INFO) {
                        noInfo++;
                    } else {
                        updated += count;
                    }
                }
                if (noInfo > 0) {
                    return new Written(-1, "pgjdbc rewrote the batch (update counts SUCCESS_NO_INFO)");
                }
                return new Written(updated, "pgjdbc did not rewrite the batch (one update count per row)");
            }

            @Override
            public void close() throws SQLException {
                connection.close();
            }
        };
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "n/a";
        }
    }

    @SuppressWarnings("java:S3011")
    private static String[][] snapshotColumns() throws ReflectiveOperationException {
        Field field = TokenSnapshots.class.getDeclaredField("COLUMNS");
        field.setAccessible(true);
        return (String[][]) field.get(null);
    }

    private static String report(Map<Key, List<Run>> results, Map<Form, String> notes, List<String> consistency,
            Map<String, String> settings, boolean embedded, boolean checkpoints, int reps, int largeSize,
            int largeReps, double minutes, String loadAtStart, String loadAtEnd, List<String> loads) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "### PostgreSQL %s (%s), %s%n%n", settings.get("server_version"),
                embedded ? "embedded, io.zonky.test" : "existing server, own schema",
                OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE)));
        md.append(String.format(Locale.ROOT, "- Machine: %d CPUs (availableProcessors), Java %s (%s), %s %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.arch")));
        double[] oneMinute = loads.stream().filter(l -> !l.equals("n/a")).mapToDouble(Double::parseDouble).toArray();
        md.append("- Load average (1, 5, 15 min; /proc/loadavg) at start: ").append(loadAtStart).append(", at end: ")
                .append(loadAtEnd);
        if (oneMinute.length > 0) {
            md.append(String.format(Locale.ROOT, "; 1-min load after each run: median %.2f, max %.2f (counts the "
                    + "benchmark's own JVM and PostgreSQL too)", median(oneMinute),
                    Arrays.stream(oneMinute).max().getAsDouble()));
        }
        md.append('\n');
        StringBuilder server = new StringBuilder();
        settings.forEach((k, v) -> server.append(server.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        md.append("- Server settings: ").append(server).append('\n');
        md.append(String.format(Locale.ROOT, "- Runs: %d timed after 1 warm-up per form, size and pass%s; "
                + "forms take turns (round robin, order rotated each round); before every run (untimed): TRUNCATE, "
                + "for UPDATE runs the INSERT pass's rows copied back and VACUUM, then %s; autovacuum off on the "
                + "benchmark's tables; total %.1f min%n", reps,
                largeReps != reps ? String.format(Locale.ROOT, " (B, C and D at %d rows and more: %d)", largeSize,
                        largeReps) : "",
                checkpoints ? "CHECKPOINT" : "no CHECKPOINT (not permitted)", minutes));
        md.append("- WAL: pg_wal_lsn_diff of pg_current_wal_insert_lsn() around the run, server-wide"
                + (checkpoints ? "; right after a CHECKPOINT, so it includes a full-page image of every existing "
                        + "page a run changes first" : "") + "\n");
        for (Form form : Form.values()) {
            if (results.keySet().stream().anyMatch(k -> k.form() == form)) {
                md.append("- ").append(form.label).append(": ").append(form.description);
                if (notes.containsKey(form)) {
                    md.append("; ").append(notes.get(form));
                }
                md.append('\n');
            }
        }
        for (String line : consistency) {
            md.append("- Check: ").append(line).append('\n');
        }
        md.append('\n');
        md.append("| Form | Rows | Pass | Runs | Median ms | Min ms | Rows/s (median) | Median vs floor "
                + "| WAL bytes (median) | WAL bytes/row |\n");
        md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<Key, List<Run>> entry : results.entrySet()) {
            Key key = entry.getKey();
            List<Run> runs = entry.getValue();
            double median = median(runs.stream().mapToDouble(Run::millis).toArray());
            double min = runs.stream().mapToDouble(Run::millis).min().orElse(Double.NaN);
            double wal = median(runs.stream().mapToDouble(r -> (double) r.walBytes()).toArray());
            List<Run> floorRuns = results.get(new Key(Form.FLOOR, key.rows(), key.pass()));
            String ratio = floorRuns == null ? "n/a" : String.format(Locale.ROOT, "%.2fx",
                    median / median(floorRuns.stream().mapToDouble(Run::millis).toArray()));
            md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %d | %.1f | %.1f | %,d | %s | %,.0f | %.1f |%n",
                    key.form().label, key.rows(), key.pass(), runs.size(), median, min,
                    (long) (key.rows() / (median / 1000)), ratio, wal, wal / key.rows()));
        }
        return md.toString();
    }

    private static String csv(Map<Key, List<Run>> results) {
        StringBuilder csv = new StringBuilder("form,rows,pass,run,millis,wal_bytes\n");
        results.forEach((key, runs) -> {
            for (int i = 0; i < runs.size(); i++) {
                csv.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%.3f,%d%n", key.form().label, key.rows(),
                        key.pass(), i + 1, runs.get(i).millis(), runs.get(i).walBytes()));
            }
        });
        return csv.toString();
    }

    private static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** Without Spring Boot's logging setup logback would log DEBUG for Flyway, HikariCP and the embedded server. */
    private static void quietLogging() {
        Object root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(Level.WARN);
        }
    }
}
