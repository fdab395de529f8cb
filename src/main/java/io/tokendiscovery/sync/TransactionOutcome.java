package io.tokendiscovery.sync;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * How the sync route takes the result of its transacted sub-route ({@code enrich} of {@code direct:write-token-batch}
 * and {@code direct:write-token-chunk}): the answer, or the failure as a plain exception. Camel marks an exchange
 * whose transacted route rolled back "rollback only", and an exchange so marked skips the sync's error handling
 * (retries, releasing the claims, the FAILED sync_run row); the sub-route runs on a copy of the exchange, so only
 * its body or its exception come back, and a failed transaction is retried by {@code sync-error-handling} as a new
 * transaction.
 */
@Component("transactionOutcome")
public class TransactionOutcome implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange original, Exchange transacted) {
        if (transacted.getException() != null) {
            original.setException(transacted.getException());
        } else {
            original.getMessage().setBody(transacted.getMessage().getBody());
        }
        return original;
    }
}
