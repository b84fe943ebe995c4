package io.flowgate.ingest.webhook;

import org.springframework.http.HttpStatus;

/**
 * How a POST /webhook ended: the HTTP status Meta gets and the name used in the answer, the metrics
 * and the logs. Every status other than 200 makes Meta deliver the webhook again later, so only
 * {@link #ACCEPTED} may be used once Kafka has acknowledged everything.
 */
enum Outcome {
    /** Every update is on Kafka (or there was nothing to route). */
    ACCEPTED(HttpStatus.OK),
    /** Signature missing or wrong: not from Meta, or not of this app. */
    BAD_SIGNATURE(HttpStatus.UNAUTHORIZED),
    /** No app secret configured, so no signature can be checked. Meta retries until one is set. */
    NO_APP_SECRET(HttpStatus.SERVICE_UNAVAILABLE),
    /** Body larger than {@code flowgate.ingest.max-body-size}. */
    TOO_LARGE(HttpStatus.PAYLOAD_TOO_LARGE),
    /** Signed, but not JSON or not a WhatsApp webhook: kept on the dead-letter topic. */
    MALFORMED(HttpStatus.BAD_REQUEST),
    /** The body could not be read to its end (the client went away or sent less than it announced). */
    UNREADABLE(HttpStatus.BAD_REQUEST),
    /** Too many webhooks in flight; answered at once so that Meta retries instead of waiting. */
    OVERLOADED(HttpStatus.SERVICE_UNAVAILABLE),
    /** Kafka did not acknowledge in time: nothing is promised, Meta retries. */
    NOT_ACKNOWLEDGED(HttpStatus.SERVICE_UNAVAILABLE);

    private final HttpStatus status;
    private final String code;

    Outcome(HttpStatus status) {
        this.status = status;
        this.code = name().toLowerCase(java.util.Locale.ROOT);
    }

    HttpStatus status() {
        return status;
    }

    /** snake_case name, for the metric tag, the answer body and the logs. */
    String code() {
        return code;
    }
}
