package io.flowgate.simulator.graph;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One call Flowgate made to the Graph API stand-in: a message sent (or a read receipt), as posted.
 * The access token is not kept: it is a secret, and only whether one was sent matters.
 *
 * @param wamid         the message id the stand-in answered with
 * @param apiVersion    the Graph API version in the path, e.g. {@code v23.0}
 * @param phoneNumberId the business phone number id in the path
 * @param to            the recipient ({@code to}), or null for a read receipt
 * @param type          the message {@code type} ({@code text}, {@code interactive}, ...), or {@code read}
 * @param body          the posted JSON
 */
public record RecordedMessage(String wamid, String apiVersion, String phoneNumberId, String to, String type,
                              JsonNode body, Instant receivedAt) {
}
