package io.tokendiscovery.cluster;

import java.math.BigDecimal;

/**
 * One frame the lifecycle test scripts, with what the ground truth needs to know about it besides its JSON.
 *
 * @param json the text frame exactly as sent
 * @param accepted whether the app must accept it (false: it must be rejected and change nothing, e.g. a price that
 *     cannot be computed)
 * @param buy for trades: buy or sell
 * @param solAmount the trade's (or the creator's initial buy's) SOL, as sent; null when it adds no volume
 * @param vSol the reserves as sent (price = vSol / vTokens); null for frames without a price
 * @param rawName for creates: the name as the creator typed it (before any sanitizing); null if absent
 */
record FeedFrame(Kind kind, String mint, String signature, String json, boolean accepted, boolean buy,
        BigDecimal solAmount, String vSol, String vTokens, String rawName) {

    enum Kind {
        CREATE,
        TRADE,
        MIGRATE
    }

    /** The spot price the frame carries, computed as the app does (doubles parsed from the sent literals). */
    Double price() {
        if (vSol == null || vTokens == null) {
            return null;
        }
        return Double.parseDouble(vSol) / Double.parseDouble(vTokens);
    }

    /** Whether the frame is one trade of the token: a buy or sell, or a create with the creator's initial buy. */
    boolean countsAsTrade() {
        return kind == Kind.TRADE || (kind == Kind.CREATE && solAmount != null && solAmount.signum() > 0);
    }

    String shortMint() {
        return mint.substring(0, Math.min(8, mint.length()));
    }
}
