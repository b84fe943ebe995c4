package io.flowgate.ingest.webhook;

/**
 * Phone numbers and user ids are personal data: a log line shows only their last four characters,
 * enough to follow one user through the logs, not enough to contact them.
 */
final class Masked {

    private static final int VISIBLE = 4;

    private Masked() {
    }

    /** {@code 16505551234} becomes {@code ***1234}; null becomes {@code -}. */
    static String id(String phoneOrUserId) {
        if (phoneOrUserId == null || phoneOrUserId.isEmpty()) {
            return "-";
        }
        if (phoneOrUserId.length() <= VISIBLE) {
            return "***";
        }
        return "***" + phoneOrUserId.substring(phoneOrUserId.length() - VISIBLE);
    }
}
