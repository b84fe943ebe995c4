package io.flowgate.routing.whatsapp;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;

/**
 * The queue of messages to WhatsApp users. A message is queued inside the caller's transaction (so it
 * is sent exactly when the state change that produced it was committed) and sent later through the
 * WhatsApp Cloud API, paced per user, with retries; never inside the inbound message's critical path.
 */
public interface OutgoingMessages {

    /**
     * Queues a message.
     *
     * @param waId        the recipient
     * @param message     the Cloud API message body without {@code messaging_product}, {@code recipient_type}
     *                    and {@code to}, e.g. {@code {"type":"text","text":{"body":"Hi"}}}; see {@link Messages}
     * @param correlation what the message belongs to (e.g. the Flow session a Flow message opens), or null;
     *                    found again from the message's wamid with {@link #correlationOf}
     * @return the queue id of the message
     */
    long enqueue(String waId, ObjectNode message, String correlation);

    /** The correlation of a sent message, by the wamid the Cloud API gave it. */
    Optional<String> correlationOf(String wamid);
}
