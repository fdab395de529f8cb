package io.tokendiscovery.cache;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One change to a token's Redis state, applied atomically by {@link TokenStore}: hash fields by write rule, and the
 * {@code prices:{mint}} tick. Field names are the {@code token_discovery} column names.
 *
 * @param signature trade signature used to drop duplicates, or null when the change has none
 * @param seq receive sequence of the frame; guards {@link #latest} and {@link #tick}
 * @param latest written only when {@code seq} is newer than the token's last applied sequence
 * @param always written unconditionally (terminal facts such as a migration)
 * @param once written only if absent (first-seen time, metadata)
 * @param increments integer counters added to
 * @param floatIncrements decimal accumulators added to
 * @param tick JSON of the latest price tick, or null
 * @param feeds the read-side effects of the change (hot, new and graduating feeds, recent trades)
 */
public record TokenUpdate(
        String mint,
        String signature,
        long seq,
        long receivedAtMillis,
        Map<String, String> latest,
        Map<String, String> always,
        Map<String, String> once,
        Map<String, Long> increments,
        Map<String, Double> floatIncrements,
        String tick,
        Feeds feeds) {

    /**
     * @param hotWeight weight added to the hot score (0: none)
     * @param newFeedScore score in the new-tokens feed (first-seen ms), or null
     * @param progress bonding progress for the graduating feed, or null (unchanged), or {@link #LEAVE_GRADUATING}
     * @param tradeJson the trade for the recent-trades list, or null
     */
    public record Feeds(double hotWeight, Long newFeedScore, String progress, String tradeJson) {
        public static final String LEAVE_GRADUATING = "-";
        public static final Feeds NONE = new Feeds(0, null, null, null);
    }

    public static Builder builder(String mint, String signature, long seq, long receivedAtMillis) {
        return new Builder(mint, signature, seq, receivedAtMillis);
    }

    /** Collects the fields of one change; keeps insertion order so the script's argument list reads naturally. */
    public static final class Builder {
        private final String mint;
        private final String signature;
        private final long seq;
        private final long receivedAtMillis;
        private final Map<String, String> latest = new LinkedHashMap<>();
        private final Map<String, String> always = new LinkedHashMap<>();
        private final Map<String, String> once = new LinkedHashMap<>();
        private final Map<String, Long> increments = new LinkedHashMap<>();
        private final Map<String, Double> floatIncrements = new LinkedHashMap<>();
        private String tick;
        private double hotWeight;
        private Long newFeedScore;
        private String progress;
        private String tradeJson;

        private Builder(String mint, String signature, long seq, long receivedAtMillis) {
            this.mint = mint;
            this.signature = signature;
            this.seq = seq;
            this.receivedAtMillis = receivedAtMillis;
        }

        public Builder latest(String field, Object value) {
            if (value != null) {
                latest.put(field, value.toString());
            }
            return this;
        }

        public Builder always(String field, Object value) {
            if (value != null) {
                always.put(field, value.toString());
            }
            return this;
        }

        public Builder once(String field, Object value) {
            if (value != null) {
                once.put(field, value.toString());
            }
            return this;
        }

        public Builder increment(String field, long by) {
            increments.merge(field, by, Long::sum);
            return this;
        }

        public Builder add(String field, double by) {
            if (by != 0d) {
                floatIncrements.merge(field, by, Double::sum);
            }
            return this;
        }

        public Builder tick(String json) {
            this.tick = json;
            return this;
        }

        public Builder hot(double weight) {
            this.hotWeight = weight;
            return this;
        }

        public Builder newToken(long firstSeenMillis) {
            this.newFeedScore = firstSeenMillis;
            return this;
        }

        public Builder progress(double percent) {
            this.progress = Double.toString(percent);
            return this;
        }

        public Builder leavesGraduatingFeed() {
            this.progress = Feeds.LEAVE_GRADUATING;
            return this;
        }

        public Builder trade(String json) {
            this.tradeJson = json;
            return this;
        }

        public TokenUpdate build() {
            return new TokenUpdate(mint, signature, seq, receivedAtMillis, latest, always, once, increments,
                    floatIncrements, tick, new Feeds(hotWeight, newFeedScore, progress, tradeJson));
        }
    }
}
