package io.tokendiscovery.ingest;

/** The reconnect delay of the PumpPortal client: capped exponential backoff with jitter. */
final class Backoff {

    private Backoff() {}

    /** Uniformly between half and all of {@code min(max, initial x 2^(attempt-1))}, at least 1 ms. */
    static long millis(int attempt, long initial, long max, double random) {
        double exp = initial * Math.pow(2, Math.min(30, Math.max(0, attempt - 1)));
        double capped = Math.min(max, exp);
        return Math.max(1, Math.round(capped / 2 + random * capped / 2));
    }
}
