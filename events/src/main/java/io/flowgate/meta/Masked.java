package io.flowgate.meta;

import java.util.regex.Pattern;

/**
 * Phone numbers and user ids are personal data: every module's logs (and the admin API's listings)
 * show only their last four characters, enough to follow one user through the logs, not enough to
 * contact them. One convention for all modules, so a user can be followed from ingest-api to routing-api.
 */
public final class Masked {

    private static final int VISIBLE = 4;
    /** Seven digits or more: a phone number as far as a log is concerned (Meta's error codes have at most six). */
    private static final Pattern LONG_NUMBER = Pattern.compile("\\+?\\d{7,}");

    private Masked() {
    }

    /** {@code 16505551234} becomes {@code ***1234}; null becomes {@code -}. */
    public static String id(String phoneOrUserId) {
        if (phoneOrUserId == null || phoneOrUserId.isEmpty()) {
            return "-";
        }
        if (phoneOrUserId.length() <= VISIBLE) {
            return "***";
        }
        return "***" + phoneOrUserId.substring(phoneOrUserId.length() - VISIBLE);
    }

    /** Free text from elsewhere (e.g. an error message from Meta) with every phone number in it masked. */
    public static String text(String text) {
        return text == null ? null : LONG_NUMBER.matcher(text).replaceAll(m -> id(m.group()));
    }
}
