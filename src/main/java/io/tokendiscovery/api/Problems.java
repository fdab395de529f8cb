package io.tokendiscovery.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Renders a failed API exchange as RFC 7807 {@code application/problem+json}. A store that is unreachable or too slow
 * (Redis or PostgreSQL: Spring's transient and resource-failure exceptions) is a 503 with {@code Retry-After}, not a
 * 500: the request may succeed later, and the server is not broken.
 */
@Component("problems")
public class Problems {

    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    private final ObjectMapper json;

    public Problems(ObjectMapper json) {
        this.json = json;
    }

    public void render(Exchange exchange) throws JsonProcessingException {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        int status = 500;
        String title = "Internal error";
        String detail = "The request could not be served; see the server log";
        if (cause instanceof ApiProblem problem) {
            status = problem.getStatus();
            title = problem.getTitle();
            detail = problem.getMessage();
        } else if (isUnavailable(cause)) {
            status = 503;
            title = "Service unavailable";
            detail = "A data store this request needs is unreachable or too slow right now; try again later";
            log.warn("API request {} answered 503: {}", exchange.getIn().getHeader(Exchange.HTTP_URI), cause.toString());
        } else {
            log.error("API request {} failed", exchange.getIn().getHeader(Exchange.HTTP_URI), cause);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", exchange.getIn().getHeader(Exchange.HTTP_PATH, String.class));
        // request headers must not be echoed back as response headers
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
        if (status == 503) {
            exchange.getMessage().setHeader("Retry-After", "10");
        }
        exchange.getMessage().setBody(json.writeValueAsString(body));
    }

    /** A data store that did not answer (connection refused, a timeout), as Spring translates it for JDBC and Redis. */
    private static boolean isUnavailable(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TransientDataAccessException || t instanceof DataAccessResourceFailureException
                    || t instanceof RecoverableDataAccessException || t instanceof CannotCreateTransactionException) {
                return true;
            }
        }
        return false;
    }
}
