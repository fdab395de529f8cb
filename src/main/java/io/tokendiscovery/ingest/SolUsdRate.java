package io.tokendiscovery.ingest;

import io.tokendiscovery.TokenDiscoveryProperties;
import java.math.BigDecimal;
import org.springframework.stereotype.Component;

/**
 * The SOL/USD rate used for USD values. No frame carries it; this first version takes it from
 * {@code tokendiscovery.pricing.sol-usd}. SOL values stay the stored truth.
 */
@Component("solUsdRate")
public class SolUsdRate {

    private final BigDecimal configured;

    public SolUsdRate(TokenDiscoveryProperties properties) {
        this.configured = properties.pricing().solUsd();
    }

    public BigDecimal current() {
        return configured;
    }
}
