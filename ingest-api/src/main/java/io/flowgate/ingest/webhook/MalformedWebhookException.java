package io.flowgate.ingest.webhook;

/**
 * A signed body that is not a WhatsApp webhook Flowgate can route. The detail says where it went
 * wrong without quoting the body, so that it may be logged: bodies hold personal data.
 */
final class MalformedWebhookException extends Exception {

    enum Reason {
        /** Not JSON at all, or JSON followed by something else. */
        MALFORMED_JSON,
        /** JSON, but not the {@code object/entry/changes/value} envelope of §2.3. */
        UNKNOWN_SHAPE;

        String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Reason reason;

    MalformedWebhookException(Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }

    /** Where the body went wrong, e.g. {@code entry[0].changes[1].value.messages is not an array}. */
    String detail() {
        return getMessage();
    }
}
