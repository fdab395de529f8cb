package io.tokendiscovery.simulator;

import com.fasterxml.jackson.core.io.NumberOutput;

/**
 * Builds one flat JSON object into a reused {@link StringBuilder}, fields in call order. Numbers are written the way
 * the feed's JavaScript server writes them: integral values without a fraction ({@code 30}, {@code 1073000000}),
 * others with the shortest digits that round-trip, never in exponent notation. Not thread-safe: one per market.
 */
final class FrameJson {

    private final StringBuilder sb = new StringBuilder(768);

    FrameJson begin() {
        sb.setLength(0);
        sb.append('{');
        return this;
    }

    FrameJson str(String name, String value) {
        key(name);
        sb.append('"');
        appendEscaped(sb, value);
        sb.append('"');
        return this;
    }

    FrameJson num(String name, double value) {
        key(name);
        appendNumber(sb, value);
        return this;
    }

    FrameJson bool(String name, boolean value) {
        key(name);
        sb.append(value);
        return this;
    }

    String end() {
        sb.append('}');
        return sb.toString();
    }

    private void key(String name) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        // Field names are constants of this package: no escaping needed.
        sb.append('"').append(name).append("\":");
    }

    /** Appends a finite double as a plain JSON number (no exponent). */
    static void appendNumber(StringBuilder sb, double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("JSON has no " + d);
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            sb.append((long) d);
            return;
        }
        // Jackson's Schubfach writer gives the shortest round-tripping digits (JDK 17's Double.toString does not
        // always); its layout is Double.toString's, so exponent forms are re-laid out as plain decimals.
        String s = NumberOutput.toString(d, true);
        int e = s.indexOf('E');
        if (e < 0) {
            sb.append(s);
            return;
        }
        int exp = Integer.parseInt(s, e + 1, s.length(), 10);
        int start = 0;
        if (s.charAt(0) == '-') {
            sb.append('-');
            start = 1;
        }
        StringBuilder digits = new StringBuilder(24);
        int dot = -1;
        for (int i = start; i < e; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                dot = digits.length();
            } else {
                digits.append(c);
            }
        }
        if (dot < 0) {
            dot = digits.length();
        }
        // strip trailing zeros of the mantissa ("1.0E-4" -> digits "10")
        int len = digits.length();
        while (len > 1 && digits.charAt(len - 1) == '0') {
            len--;
        }
        digits.setLength(len);
        int point = dot + exp; // position of the decimal point within digits
        if (point <= 0) {
            sb.append("0.");
            for (int i = 0; i < -point; i++) {
                sb.append('0');
            }
            sb.append(digits);
        } else if (point >= digits.length()) {
            sb.append(digits);
            for (int i = digits.length(); i < point; i++) {
                sb.append('0');
            }
        } else {
            sb.append(digits, 0, point).append('.').append(digits, point, digits.length());
        }
    }

    /** Appends {@code s} escaped for a JSON string (quotes, backslash, control characters). */
    static void appendEscaped(StringBuilder sb, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00");
                        sb.append(Character.forDigit(c >> 4, 16));
                        sb.append(Character.forDigit(c & 0xF, 16));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
