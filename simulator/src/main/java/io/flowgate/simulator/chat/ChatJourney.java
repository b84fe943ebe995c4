package io.flowgate.simulator.chat;

import io.flowgate.simulator.load.Journey;
import io.flowgate.simulator.report.ChatCounts;
import io.flowgate.testkit.MetaWebhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One lead's qualification chat, delivered as Meta delivers it: each message as a signed webhook,
 * some sent twice (Meta's retries), some pairs in reverse order; after each delivery, the statuses
 * (sent, delivered, read — not always all, not always in order) of the messages the business sent the
 * lead. The simulator does not judge the chat's answers; it counts what ingest-api acknowledged.
 */
final class ChatJourney implements Journey {

    private static final double DUPLICATE = 0.1;
    private static final double SKIPS_DELIVERED = 0.2;
    private static final double READ_BEFORE_DELIVERED = 0.15;

    private final ChatUsers users;
    private final String waId;
    private final String profileName;
    private final RandomGenerator random;
    private final ChatCounts counts;
    private final Deque<ChatScript.Delivery> deliveries;
    private final Set<String> reported = new HashSet<>();
    private final boolean answersEverything;
    private boolean started;

    ChatJourney(ChatUsers users, String waId, RandomGenerator random, ChatCounts counts) {
        this.users = users;
        this.waId = waId;
        this.random = random;
        this.counts = counts;
        ChatScript.Script script = ChatScript.write(random);
        this.deliveries = new ArrayDeque<>(script.deliveries());
        this.answersEverything = script.answersEverything();
        this.profileName = "Lead " + waId.substring(Math.max(0, waId.length() - 4));
    }

    @Override
    public Optional<Duration> step() throws InterruptedException {
        if (!started) {
            started = true;
            counts.conversationStarted();
        }
        ChatScript.Delivery delivery = deliveries.poll();
        if (delivery == null || !deliver(delivery) || !reportStatuses()) {
            return Optional.empty();
        }
        if (deliveries.isEmpty()) {
            counts.conversationFinished(answersEverything);
            return Optional.empty();
        }
        return Optional.of(users.thinkTime(random));
    }

    @Override
    public void abandon(Throwable cause) {
        // nothing to record: the messages already sent are counted, the rest were never written
    }

    /** Sends the delivery's messages, one webhook each, in delivery order; false when ingest-api is gone. */
    private boolean deliver(ChatScript.Delivery delivery) throws InterruptedException {
        long now = Instant.now().getEpochSecond();
        List<MetaWebhooks.Message> messages = new ArrayList<>();
        int n = delivery.utterances().size();
        for (int i = 0; i < n; i++) {
            ChatScript.Utterance u = delivery.utterances().get(i);
            // written in the reverse of delivery order: the first delivered was written last
            long writtenAt = delivery.reversed() ? now - i : now - (n - 1 - i);
            String wamid = MetaWebhooks.wamid(random);
            messages.add(u.replyType() == null ? MetaWebhooks.text(waId, wamid, writtenAt, u.text())
                    : MetaWebhooks.interactive(waId, wamid, writtenAt, u.replyType(), u.replyId(), u.text()));
        }
        if (delivery.reversed()) {
            counts.reorderedPair();
        }
        for (int i = 0; i < n; i++) {
            byte[] body = users.webhooks().messages(waId, profileName, List.of(messages.get(i)));
            counts.message(delivery.utterances().get(i).invalid());
            if (!post("webhook message", body)) {
                return false;
            }
            if (random.nextDouble() < DUPLICATE) {
                counts.duplicate();
                if (!post("webhook message (duplicate)", body)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Statuses of the business's messages to this lead not reported yet; false when ingest-api is gone. */
    private boolean reportStatuses() throws InterruptedException {
        for (String outgoing : users.outgoingTo(waId, random)) {
            if (!reported.add(outgoing)) {
                continue;
            }
            long now = Instant.now().getEpochSecond();
            List<String> statuses = new ArrayList<>(List.of("sent", "delivered", "read"));
            if (random.nextDouble() < SKIPS_DELIVERED) {
                statuses.remove("delivered");
            } else if (random.nextDouble() < READ_BEFORE_DELIVERED) {
                statuses.set(1, "read");
                statuses.set(2, "delivered");
            }
            for (String status : statuses) {
                counts.status();
                if (!post("webhook status", users.webhooks().statusUpdate(waId, outgoing, status, now))) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean post(String kind, byte[] body) throws InterruptedException {
        WebhookClient.Delivery result = users.client().post(kind, body);
        if (result == WebhookClient.Delivery.ACKNOWLEDGED) {
            users.reachable();
            counts.acknowledged();
            return true;
        }
        if (result == WebhookClient.Delivery.UNREACHABLE) {
            users.unreachable();
            return false;
        }
        // a refused webhook is counted as an error; Meta would retry, the lead goes on writing
        return true;
    }
}
