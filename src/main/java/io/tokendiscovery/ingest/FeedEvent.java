package io.tokendiscovery.ingest;

/**
 * One parsed PumpPortal frame. {@code receiveSeq} and {@code receivedAtMillis} are stamped at the socket (frames
 * carry neither).
 */
public sealed interface FeedEvent
        permits FeedEvent.TokenCreated, FeedEvent.TokenTraded, FeedEvent.TokenMigrated, FeedEvent.FeedNotice {

    /** Discriminator for the route's choice: CREATE, TRADE, MIGRATE, NOTICE. */
    String getKind();

    long receiveSeq();

    long receivedAtMillis();

    /**
     * {@code txType:"create"}. For pump creates {@code vSol}/{@code vTokens} are the curve's reserves after the
     * creator's buy; bonk creates have no curve (both null) but carry {@code marketCapSol}.
     */
    record TokenCreated(
            String signature,
            String mint,
            String creator,
            String pool,
            String name,
            String symbol,
            String uri,
            boolean mayhem,
            double initialBuy,
            double solAmount,
            Double vSol,
            Double vTokens,
            Double marketCapSol,
            long receiveSeq,
            long receivedAtMillis)
            implements FeedEvent {
        @Override
        public String getKind() {
            return "CREATE";
        }
    }

    /**
     * {@code txType:"buy"|"sell"}. Reserves are after the trade and may be absent after graduation; {@code solAmount}
     * is absent in 2024-era frames.
     */
    record TokenTraded(
            String signature,
            String mint,
            String trader,
            boolean buy,
            double tokenAmount,
            Double solAmount,
            Double vSol,
            Double vTokens,
            Double marketCapSol,
            String pool,
            long receiveSeq,
            long receivedAtMillis)
            implements FeedEvent {
        @Override
        public String getKind() {
            return "TRADE";
        }
    }

    /** {@code txType:"migrate"}: the bonding curve completed and the token moved to the AMM pool. */
    record TokenMigrated(String signature, String mint, String pool, long receiveSeq, long receivedAtMillis)
            implements FeedEvent {
        @Override
        public String getKind() {
            return "MIGRATE";
        }
    }

    /** A frame with only {@code message}: a subscription ack or a notice such as the funded-key refusal. */
    record FeedNotice(String message, NoticeType type, long receiveSeq, long receivedAtMillis) implements FeedEvent {
        @Override
        public String getKind() {
            return "NOTICE";
        }
    }

    enum NoticeType {
        ACK,
        FUNDED_KEY_REQUIRED,
        OTHER
    }
}
