package io.flowgate.routing.system;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import java.io.IOException;
import java.util.UUID;

/**
 * The answer to a failure nobody expected (a bug, an I/O failure, the database gone): 503 with {@code Retry-After}
 * when the database is unreachable ({@link DatabaseOutage}) or refused a change for now (a deadlock or serialization
 * conflict), else a 500 with an incident id that matches the log line. Never a stack trace in an answer. Spring MVC's
 * requests get it from {@link ApiExceptionHandler}; a servlet of its own (the Flow endpoint's) writes it with
 * {@link #write}, so its failures read the same.
 */
public record UnexpectedFailure(HttpStatus status, String code, String message) {

    private static final Logger log = LoggerFactory.getLogger(UnexpectedFailure.class);

    /** Classifies and logs the failure of {@code where} (for example "the admin API"). */
    public static UnexpectedFailure of(Exception e, String where) {
        if (DatabaseOutage.isOutage(e)) {
            DatabaseOutage.report(where, e);
            return new UnexpectedFailure(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "the database is unavailable; retry shortly");
        }
        if (e instanceof TransientDataAccessException) {
            // a deadlock or serialization conflict: worth a retry, and no outage
            log.info("{} answered 503: {}", where, e.getClass().getSimpleName());
            return new UnexpectedFailure(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "the database refused the change for now; retry shortly");
        }
        String incident = UUID.randomUUID().toString();
        log.error("unexpected failure of {}, incident {}", where, incident, DatabaseOutage.forLog(e));
        return new UnexpectedFailure(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "unexpected failure, incident " + incident);
    }

    /** Whether the answer asks the caller to retry ({@code Retry-After: 1}). */
    public boolean retryLater() {
        return status == HttpStatus.SERVICE_UNAVAILABLE;
    }

    /** Writes the answer unless one was already sent. */
    public void write(HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        if (retryLater()) {
            response.setHeader(HttpHeaders.RETRY_AFTER, "1");
        }
        JsonErrors.write(response, status.value(), code, message);
    }
}
