package io.flowgate.routing.whatsapp;

import java.util.regex.Pattern;

/**
 * Phone numbers and user ids are personal data: logs and the admin listing show only their last four
 * characters (as ingest-api's logs do), enough to follow one user, not enough to contact them.
 */
final class Masked {

    private static final int VISIBLE = 4;
    /** Seven digits or more: a phone number as far as a log is concerned (error codes have at most six). */
    private static final Pattern LONG_NUMBER = Pattern.compile("\\+?\\d{7,}");

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

    /** Free text from the Cloud API (an error's message or details) with any phone number in it masked. */
    static String text(String text) {
        return text == null ? null : LONG_NUMBER.matcher(text).replaceAll(m -> id(m.group()));
    }
}
