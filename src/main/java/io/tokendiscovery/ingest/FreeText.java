package io.tokendiscovery.ingest;

/**
 * The ingest's one policy for free text a creator typed (a create frame's {@code name}, {@code symbol}, {@code uri},
 * and any frame's {@code pool}); docs/pumpportal-client.md#free-text. Free text never rejects a frame (that would
 * lose the token): it is made storable everywhere (Redis, JSON, PostgreSQL {@code text} and {@code jsonb}) and the
 * change is counted.
 * <ul>
 *   <li>C0 control characters (U+0000-U+001F) and DEL (U+007F) are removed; the whitespace ones (TAB, LF, VT, FF, CR,
 *       U+0009-U+000D) become one space each so the words around them stay apart. Removed rather than replaced
 *       with U+FFFD: they are invisible where the creator typed them, so the visible text stays the same, and a
 *       name padded with NULs does not turn into a row of replacement marks.</li>
 *   <li>A lone UTF-16 surrogate (only reachable through a JSON {@code \ud800} escape) becomes U+FFFD: a character
 *       was there but has no UTF-8 form; every encoder would silently turn it into {@code ?} otherwise.</li>
 *   <li>Then the text is cut to its field's limit in UTF-16 chars (so at most that many characters in
 *       PostgreSQL), never between the two halves of a surrogate pair.</li>
 * </ul>
 * Everything else (other scripts, emoji, C1 controls, quotes, SQL-looking text) is kept as it is: it is plain data
 * for JSON encoders and named SQL parameters.
 */
final class FreeText {

    static final char REPLACEMENT = '\uFFFD';

    private FreeText() {}

    /** What cleaning changed; {@link #tag()} names it in the metric. */
    enum Change {
        CONTROL("control"),
        SURROGATE("surrogate"),
        TRUNCATED("truncated");

        private final String tag;

        Change(String tag) {
            this.tag = tag;
        }

        String tag() {
            return tag;
        }

        int bit() {
            return 1 << ordinal();
        }
    }

    /** @param changes bits of {@link Change#bit()}; 0 when the text was already clean */
    record Cleaned(String text, int changes) {

        boolean changed() {
            return changes != 0;
        }

        boolean has(Change change) {
            return (changes & change.bit()) != 0;
        }
    }

    private static boolean isControl(char c) {
        return c < 0x20 || c == 0x7F;
    }

    /** Applies the policy; returns {@code text} itself (no copy) when nothing needs to change. */
    static Cleaned clean(String text, int maxChars) {
        int n = text.length();
        if (n <= maxChars && isClean(text)) {
            return new Cleaned(text, 0);
        }
        StringBuilder out = new StringBuilder(Math.min(n, maxChars));
        int changes = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (isControl(c)) {
                changes |= Change.CONTROL.bit();
                if (c < 0x09 || c > 0x0D) {
                    continue;
                }
                c = ' ';
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                if (out.length() + 2 > maxChars) {
                    changes |= Change.TRUNCATED.bit();
                    break;
                }
                out.append(c).append(text.charAt(++i));
                continue;
            } else if (Character.isSurrogate(c)) {
                changes |= Change.SURROGATE.bit();
                c = REPLACEMENT;
            }
            if (out.length() >= maxChars) {
                changes |= Change.TRUNCATED.bit();
                break;
            }
            out.append(c);
        }
        return new Cleaned(out.toString(), changes);
    }

    /** No control character, and every surrogate is half of a well-formed pair. */
    private static boolean isClean(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (isControl(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
