package io.tokendiscovery.ingest;

/** Why a frame was dead-lettered; the tag of the dead-letter counter. */
public enum RejectReason {
    OVERSIZED,
    BINARY,
    NOT_JSON,
    NOT_OBJECT,
    UNKNOWN_SHAPE,
    UNKNOWN_TX_TYPE,
    MISSING_FIELD,
    WRONG_TYPE,
    INVALID_MINT,
    INVALID_SIGNATURE,
    INVALID_NUMBER,
    ABSURD_VALUE,
    FIELD_TOO_LONG,
    FEED_ERROR,
    PROCESSING_FAILED,
    /** Redis answered this frame's change with an error (e.g. a key of the wrong type); the rest of its batch was applied. */
    REDIS_REJECTED
}
