package io.tokendiscovery.ingest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One SOL/USD rate as a source gave it.
 *
 * @param rate USD per SOL
 * @param source the configured name of the source, e.g. {@code pump.fun}
 * @param at when the rate was true: the source's own timestamp when it sends one, else the time it was fetched
 */
public record SolUsdQuote(BigDecimal rate, String source, Instant at) {

    public SolUsdQuote {
        Objects.requireNonNull(rate, "rate");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(at, "at");
    }
}
