package io.tokendiscovery.cluster;

import io.tokendiscovery.cluster.FeedFrame.Kind;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What every token's row must say, computed only from the frames the test feed actually delivered (in delivery
 * order), never from the app: counters are totals over every accepted frame, once per signature; the price is that
 * of the last delivered priced frame; MIGRATED after a migrate frame; the name as the text policy stores it.
 */
final class GroundTruth {

    /** Longest stored name: the text policy cuts names to 256 chars (docs/pumpportal-client.md#free-text). */
    static final int MAX_NAME = 256;

    /**
     * The stored-text policy for names as docs/pumpportal-client.md#free-text states it, written here on its own (not
     * the app's code): control characters U+0000-U+001F and U+007F are removed, TAB/LF/VT/FF/CR become a space, a
     * lone surrogate becomes U+FFFD, then the text is cut to {@link #MAX_NAME} chars (never between the two halves
     * of a pair). Valid pairs (emoji) are kept.
     */
    static String sanitizeName(String raw) {
        if (raw == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(Math.min(raw.length(), MAX_NAME + 1));
        for (int i = 0; i < raw.length() && sb.length() < MAX_NAME; i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                if (c < 0x09 || c > 0x0D) {
                    continue;
                }
                c = ' '; // TAB, LF, VT, FF, CR: one space, so the words around them stay apart
            }
            if (Character.isHighSurrogate(c) && i + 1 < raw.length() && Character.isLowSurrogate(raw.charAt(i + 1))) {
                if (sb.length() + 2 > MAX_NAME) {
                    break;
                }
                sb.append(c).append(raw.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static final class Token {
        final String mint;
        boolean created;
        String name;
        long trades;
        long buys;
        long sells;
        BigDecimal volumeSol = BigDecimal.ZERO;
        Double price;
        boolean migrated;
        boolean watched;

        Token(String mint) {
            this.mint = mint;
        }
    }

    private final Map<String, Token> tokens = new LinkedHashMap<>();
    private final Set<String> seen = new HashSet<>();

    /** A frame the feed delivered. Frames the app must reject change nothing; a repeated signature counts once. */
    synchronized void delivered(FeedFrame frame) {
        if (!frame.accepted() || !seen.add(frame.signature() + ":" + frame.mint())) {
            return;
        }
        Token token = tokens.computeIfAbsent(frame.mint(), Token::new);
        if (frame.kind() == Kind.CREATE) {
            token.created = true;
            token.name = sanitizeName(frame.rawName());
        }
        if (frame.kind() == Kind.MIGRATE) {
            token.migrated = true;
        }
        if (frame.countsAsTrade()) {
            token.trades++;
            if (frame.buy()) {
                token.buys++;
            } else {
                token.sells++;
            }
            if (frame.solAmount() != null) {
                token.volumeSol = token.volumeSol.add(frame.solAmount());
            }
        }
        Double price = frame.price();
        if (price != null) {
            token.price = price;
        }
    }

    synchronized void watched(String mint) {
        tokens.computeIfAbsent(mint, Token::new).watched = true;
    }

    synchronized Token token(String mint) {
        return tokens.get(mint);
    }

    synchronized Map<String, Token> tokens() {
        return new LinkedHashMap<>(tokens);
    }

    /** Lazy persistence: at least {@code minTrades} trades, or {@code minVolumeUsd} of volume, or watched. */
    static boolean shouldPersist(Token token, long minTrades, BigDecimal minVolumeUsd, BigDecimal solUsd) {
        return token.trades >= minTrades || token.volumeSol.multiply(solUsd).compareTo(minVolumeUsd) >= 0
                || token.watched;
    }
}
