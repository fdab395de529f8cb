package io.tokendiscovery.ingest;

import io.tokendiscovery.ingest.FeedEvent.FeedNotice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Acts on PumpPortal's {@code message} frames: acks are logged at debug (one per subscription message), the
 * funded-key refusal flips the client's flag, anything else is a warning.
 */
@Component("feedNotices")
public class FeedNotices {

    private static final Logger log = LoggerFactory.getLogger(FeedNotices.class);

    private final PumpPortalClient client;

    public FeedNotices(PumpPortalClient client) {
        this.client = client;
    }

    public void handle(FeedNotice notice) {
        switch (notice.type()) {
            case ACK -> log.debug("PumpPortal: {}", notice.message());
            case FUNDED_KEY_REQUIRED -> client.markTradesRefused();
            case OTHER -> log.warn("PumpPortal notice: {}", FrameParser.abbreviate(notice.message()));
        }
    }
}
