package io.tokendiscovery.sync;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.TokenDiscoveryProperties;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The emergency rollback switch: {@code write-behind} (default) or {@code write-through}. Starts from
 * {@code tokendiscovery.write-mode}; {@code routes/write-mode.camel.yaml} applies the value written in it at start and
 * on every save (live reload), so operators roll back without a deploy. The gauge {@code tokendiscovery.write.mode}
 * is 1 for the active mode.
 */
@Component("writeMode")
public class WriteMode {

    private static final Logger log = LoggerFactory.getLogger(WriteMode.class);

    private final AtomicReference<TokenDiscoveryProperties.WriteMode> mode;

    public WriteMode(TokenDiscoveryProperties properties, MeterRegistry meters) {
        this.mode = new AtomicReference<>(properties.writeMode());
        for (TokenDiscoveryProperties.WriteMode each : TokenDiscoveryProperties.WriteMode.values()) {
            Gauge.builder("tokendiscovery.write.mode", mode, m -> m.get() == each ? 1 : 0)
                    .description("1 for the active write mode (write-through is the emergency rollback)")
                    .tag("mode", name(each))
                    .register(meters);
        }
    }

    /** @param value {@code write-behind} or {@code write-through} (case and - / _ do not matter) */
    public void apply(String value) {
        TokenDiscoveryProperties.WriteMode next = parse(value);
        TokenDiscoveryProperties.WriteMode previous = mode.getAndSet(next);
        if (previous != next) {
            if (next == TokenDiscoveryProperties.WriteMode.WRITE_THROUGH) {
                log.warn("Write mode is now write-through (was {}): every swap upserts its token's row in PostgreSQL; "
                        + "the 5-minute sync keeps running as a safety net", name(previous));
            } else {
                log.warn("Write mode is now write-behind (was {}): PostgreSQL gets one batched upsert per sync interval",
                        name(previous));
            }
        } else {
            log.info("Write mode: {}", name(next));
        }
    }

    public boolean isWriteThrough() {
        return mode.get() == TokenDiscoveryProperties.WriteMode.WRITE_THROUGH;
    }

    public String current() {
        return name(mode.get());
    }

    static TokenDiscoveryProperties.WriteMode parse(String value) {
        String normalised = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return TokenDiscoveryProperties.WriteMode.valueOf(normalised);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown write mode '" + value + "': use write-behind or write-through", e);
        }
    }

    private static String name(TokenDiscoveryProperties.WriteMode mode) {
        return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
