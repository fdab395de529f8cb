package io.tokendiscovery.feed;

/**
 * The token state machine. States are derived, not stored transitions, so the same rule runs on every trade-free
 * evaluation and any order of events gives the same answer:
 *
 * <pre>
 *   MIGRATED   the curve completed and a migrate event arrived (terminal)
 *   GRADUATING bonding progress >= graduating-progress (90 %)
 *   STALE      no trade for stale-after (6 h) (since creation if it never traded)
 *   ACTIVE     at least active-min-trades (10) trades
 *   NEW        otherwise
 * </pre>
 */
public enum TokenState {
    NEW,
    ACTIVE,
    GRADUATING,
    MIGRATED,
    STALE;

    /** Rule parameters (tokendiscovery.states.*). */
    public record Rules(double graduatingProgress, long activeMinTrades, long staleAfterMillis) {}

    public static TokenState of(String current, Double progress, long trades, Long lastActivityMillis, long nowMillis,
            Rules rules) {
        if ("MIGRATED".equals(current)) {
            return MIGRATED;
        }
        if (progress != null && progress >= rules.graduatingProgress()) {
            return GRADUATING;
        }
        if (lastActivityMillis != null && nowMillis - lastActivityMillis >= rules.staleAfterMillis()) {
            return STALE;
        }
        return trades >= rules.activeMinTrades() ? ACTIVE : NEW;
    }
}
