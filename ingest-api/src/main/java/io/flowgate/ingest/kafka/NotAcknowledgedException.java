package io.flowgate.ingest.kafka;

/**
 * Kafka did not acknowledge every record of a webhook in time, or refused one. The webhook must then
 * not be answered 200: Meta retries it, and downstream deduplication absorbs whatever did get written.
 */
public final class NotAcknowledgedException extends Exception {

    private final boolean timedOut;

    NotAcknowledgedException(String message, boolean timedOut, Throwable cause) {
        super(message, cause);
        this.timedOut = timedOut;
    }

    /** True when the time ran out; false when Kafka answered with an error. */
    public boolean timedOut() {
        return timedOut;
    }
}
