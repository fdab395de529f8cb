package io.tokendiscovery.api;

import io.tokendiscovery.TokenDiscoveryProperties;
import io.tokendiscovery.ingest.Base58;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/** Validation of API input: a mint must be a base58 public key, a limit a number within bounds. */
@Component("apiRequests")
public class ApiRequests {

    private final int defaultLimit;
    private final int maxLimit;

    public ApiRequests(TokenDiscoveryProperties properties) {
        this.defaultLimit = properties.api().defaultLimit();
        this.maxLimit = properties.api().maxLimit();
    }

    public String mint(@Header("mint") String mint) {
        if (mint == null || !Base58.isValid(mint, 32)) {
            throw new ApiProblem(400, "Invalid mint", "mint must be a base58 Solana public key (32 to 44 characters)");
        }
        return mint;
    }

    public int limit(@Header("limit") String limit) {
        if (limit == null || limit.isBlank()) {
            return defaultLimit;
        }
        try {
            int value = Integer.parseInt(limit.trim());
            if (value >= 1 && value <= maxLimit) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the problem below
        }
        throw new ApiProblem(400, "Invalid limit", "limit must be an integer from 1 to " + maxLimit);
    }
}
