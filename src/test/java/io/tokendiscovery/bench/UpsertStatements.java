package io.tokendiscovery.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements the benchmark compares, all derived from the project's {@code routes/sql/upsert-token-batch.sql}
 * so they cannot drift from it:
 *
 * <ul>
 *   <li>{@link #setBased}: the file as it is, its {@code :name} parameters turned into JDBC {@code ?} (for the plain
 *       JDBC floor);</li>
 *   <li>{@link #singleRow}: the same INSERT ... SELECT, WHERE (lazy persistence) and ON CONFLICT ... DO UPDATE ...
 *       WHERE t.version &lt; EXCLUDED.version, with the {@code unnest} of arrays replaced by ONE row of scalar casts
 *       ({@code FROM (VALUES (CAST(? AS text), ...)) AS i(...)}) and without RETURNING (a JDBC batch returns update
 *       counts, not rows; camel-sql {@code batch=true} has no RETURNING either).</li>
 *   <li>{@link #singleRowValues}: NOT the same semantics, for reference only: {@code INSERT ... VALUES (...) ON
 *       CONFLICT ... DO UPDATE ... WHERE t.version < EXCLUDED.version}, the file's SELECT list with each
 *       {@code i.column} replaced by a scalar cast parameter, and WITHOUT the lazy-persistence WHERE (a VALUES
 *       insert cannot filter). It is the only single-row shape pgjdbc's {@code reWriteBatchedInserts} can rewrite
 *       into multi-row inserts; it writes the same rows only when every row is eligible (as in the benchmark).</li>
 * </ul>
 */
final class UpsertStatements {

    /** A JDBC statement and the name of the value bound to each {@code ?}, in order. */
    record Jdbc(String sql, List<String> parameters) {}

    private static final Pattern UNNEST = Pattern.compile(
            "FROM\\s+unnest\\((.*?)\\)\\s+AS\\s+i\\(([^)]*)\\)", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern ARRAY_CAST = Pattern.compile(
            "CAST\\(\\s*:([A-Za-z][A-Za-z0-9_]*)\\s+AS\\s+([a-z ]+?)\\[\\]\\s*\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern RETURNING = Pattern.compile("\\s+RETURNING\\s.*$",
            Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

    private UpsertStatements() {}

    static Jdbc setBased(String file) {
        return positional(stripComments(file));
    }

    static Jdbc singleRow(String file) {
        String sql = stripComments(file);
        Matcher unnest = UNNEST.matcher(sql);
        if (!unnest.find()) {
            throw new IllegalStateException("upsert-token-batch.sql no longer has FROM unnest(...) AS i(...)");
        }
        Matcher cast = ARRAY_CAST.matcher(unnest.group(1));
        List<String> scalars = new ArrayList<>();
        while (cast.find()) {
            scalars.add("CAST(:" + cast.group(1) + " AS " + cast.group(2) + ")");
        }
        int aliases = unnest.group(2).split(",").length;
        if (scalars.isEmpty() || scalars.size() != aliases) {
            throw new IllegalStateException("Cannot map the unnest() arguments (" + scalars.size()
                    + ") to its column aliases (" + aliases + ")");
        }
        String row = "FROM (VALUES (" + String.join(", ", scalars) + ")) AS i(" + unnest.group(2) + ")";
        sql = sql.substring(0, unnest.start()) + row + sql.substring(unnest.end());
        Matcher returning = RETURNING.matcher(sql);
        if (!returning.find()) {
            throw new IllegalStateException("upsert-token-batch.sql no longer ends with RETURNING");
        }
        return positional(sql.substring(0, returning.start()));
    }

    static Jdbc singleRowValues(String file) {
        String sql = stripComments(file);
        Matcher unnest = UNNEST.matcher(sql);
        if (!unnest.find()) {
            throw new IllegalStateException("upsert-token-batch.sql no longer has FROM unnest(...) AS i(...)");
        }
        List<String> casts = new ArrayList<>();
        Matcher cast = ARRAY_CAST.matcher(unnest.group(1));
        while (cast.find()) {
            casts.add("CAST(:" + cast.group(1) + " AS " + cast.group(2) + ")");
        }
        String[] aliases = unnest.group(2).split(",");
        if (casts.size() != aliases.length) {
            throw new IllegalStateException("Cannot map the unnest() arguments to its column aliases");
        }
        Matcher select = Pattern.compile("\\)\\s*SELECT\\s", Pattern.CASE_INSENSITIVE).matcher(sql);
        if (!select.find() || select.end() > unnest.start()) {
            throw new IllegalStateException("upsert-token-batch.sql is no longer INSERT INTO ... (...) SELECT ...");
        }
        String selectList = sql.substring(select.end(), unnest.start());
        for (int a = 0; a < aliases.length; a++) {
            selectList = selectList.replaceAll("\\bi\\." + aliases[a].strip() + "\\b",
                    Matcher.quoteReplacement(casts.get(a)));
        }
        if (selectList.matches("(?s).*\\bi\\.[a-z_]+.*")) {
            throw new IllegalStateException("A column of the SELECT list was not replaced: " + selectList);
        }
        Matcher conflict = Pattern.compile("\\sON\\s+CONFLICT\\s", Pattern.CASE_INSENSITIVE).matcher(sql);
        Matcher returning = RETURNING.matcher(sql);
        if (!conflict.find(unnest.end()) || !returning.find(conflict.end())) {
            throw new IllegalStateException("upsert-token-batch.sql no longer has ON CONFLICT ... RETURNING");
        }
        String values = sql.substring(0, select.start() + 1) + "\nVALUES (" + selectList.strip() + ")\n"
                + sql.substring(conflict.start(), returning.start()).strip();
        return positional(values);
    }

    /** Drops {@code --} comments (the file's comments mention :parameters; it has no "--" inside a literal). */
    static String stripComments(String sql) {
        StringBuilder out = new StringBuilder();
        for (String line : sql.split("\n", -1)) {
            int comment = line.indexOf("--");
            String code = comment >= 0 ? line.substring(0, comment) : line;
            if (!code.isBlank()) {
                out.append(code.stripTrailing()).append('\n');
            }
        }
        return out.toString().strip();
    }

    /** {@code :name} outside string literals and not part of a {@code ::} cast becomes {@code ?}. */
    private static Jdbc positional(String sql) {
        List<String> parameters = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        boolean literal = false;
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'') {
                literal = !literal;
            } else if (!literal && c == ':' && i + 1 < sql.length() && Character.isLetter(sql.charAt(i + 1))
                    && (i == 0 || sql.charAt(i - 1) != ':')) {
                int end = i + 1;
                while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_')) {
                    end++;
                }
                parameters.add(sql.substring(i + 1, end));
                out.append('?');
                i = end;
                continue;
            }
            out.append(c);
            i++;
        }
        return new Jdbc(out.toString(), List.copyOf(parameters));
    }
}
