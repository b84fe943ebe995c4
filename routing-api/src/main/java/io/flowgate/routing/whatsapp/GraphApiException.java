package io.flowgate.routing.whatsapp;

/**
 * A Graph API management call that did not succeed, with what Meta said: its HTTP status and error object
 * ({@code error.code}, {@code error.message}, {@code error.error_user_title}, {@code error.error_user_msg},
 * {@code fbtrace_id}), or, when there was no answer, why. The message never contains the access token.
 */
public class GraphApiException extends RuntimeException {

    /** What kind of failure, which decides the admin API's status. */
    public enum Kind {
        /** Meta refused the request itself (a 4xx that is not a limit or a credentials problem). */
        REFUSED,
        /** A rate limit that was still in force after the retries the policy allows. */
        RATE_LIMITED,
        /** The token or its permissions were refused: the configuration is wrong. */
        CREDENTIALS,
        /** Meta failed (5xx) or did not answer. */
        UNAVAILABLE,
        /** The Graph settings (token, ids) are not configured. */
        NOT_CONFIGURED
    }

    private final Kind kind;
    private final int httpStatus;
    private final Integer code;
    private final String metaMessage;
    private final String errorUserTitle;
    private final String errorUserMsg;
    private final String fbtraceId;
    private final int attempts;

    public GraphApiException(Kind kind, String message, int httpStatus, Integer code, String metaMessage,
                             String errorUserTitle, String errorUserMsg, String fbtraceId, int attempts) {
        // Meta's text in it went through GraphError.describe(), which masks phone numbers; the ids in the path
        // (phone number id, Flow ids) are the business's, not personal data
        super(message);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.code = code;
        this.metaMessage = metaMessage;
        this.errorUserTitle = errorUserTitle;
        this.errorUserMsg = errorUserMsg;
        this.fbtraceId = fbtraceId;
        this.attempts = attempts;
    }

    public Kind kind() {
        return kind;
    }

    /** Meta's HTTP status, 0 when there was no answer. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Meta's {@code error.code}, or null. */
    public Integer code() {
        return code;
    }

    public String metaMessage() {
        return metaMessage;
    }

    public String errorUserTitle() {
        return errorUserTitle;
    }

    public String errorUserMsg() {
        return errorUserMsg;
    }

    public String fbtraceId() {
        return fbtraceId;
    }

    /** How many calls were made before giving up. */
    public int attempts() {
        return attempts;
    }
}
