package io.flowgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One call made to the Graph API stand-in's messages endpoint: a message (or a read receipt) as posted,
 * with what the stand-in answered. Calls Meta would refuse before looking at them (no token, not JSON, no
 * recipient) are not recorded; calls answered with an error on purpose ({@link GraphApiStandIn#answer}) are.
 *
 * @param wamid         the message id the stand-in answered with, or null when it answered with an error
 * @param apiVersion    the Graph API version in the path, e.g. {@code v23.0}
 * @param phoneNumberId the business phone number id in the path
 * @param to            the recipient ({@code to}), or null for a read receipt
 * @param type          the message {@code type} ({@code text}, {@code interactive}, ...), or {@code read}
 * @param body          the posted JSON
 * @param authorization the {@code Authorization} header as sent; kept for tests to check which token was used,
 *                      never listed over HTTP nor shown by {@link #toString()}
 * @param status        the HTTP status the stand-in answered with
 * @param receivedAt    when the call arrived
 */
public record RecordedMessage(String wamid, String apiVersion, String phoneNumberId, String to, String type,
                              JsonNode body, String authorization, int status, Instant receivedAt) {

    /** The text of a text message ({@code text.body}), or "". */
    public String text() {
        return body.path("text").path("body").asText();
    }

    @Override
    public String toString() {
        return "RecordedMessage[" + apiVersion + "/" + phoneNumberId + " to " + to + ", " + type + ", HTTP " + status
                + (wamid == null ? "" : ", " + wamid) + ", at " + receivedAt + ", " + body + "]";
    }
}
