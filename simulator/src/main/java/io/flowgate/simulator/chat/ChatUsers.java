package io.flowgate.simulator.chat;

import io.flowgate.simulator.load.Journey;
import io.flowgate.simulator.load.ThinkTime;
import io.flowgate.simulator.report.Tally;
import io.flowgate.testkit.GraphApiStandIn;
import io.flowgate.testkit.MetaWebhooks;
import io.flowgate.testkit.RecordedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The messaging side of a run: a new {@link ChatJourney} for each lead who arrives, and what they share
 * (the webhook client, the Graph API stand-in that shows what Flowgate sent them). When ingest-api
 * cannot be reached, chats pause — logged once per outage, retried now and then — so a run without
 * ingest-api still drives the Flows.
 */
public final class ChatUsers {

    private static final Logger log = LoggerFactory.getLogger(ChatUsers.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    private final WebhookClient client;
    private final MetaWebhooks webhooks;
    private final GraphApiStandIn graph;
    private final Tally tally;
    private final ThinkTime thinkTime;
    private final AtomicLong pausedUntilNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicBoolean down = new AtomicBoolean();

    /**
     * @param graph the Graph API stand-in Flowgate sends its replies to, or null when it runs elsewhere:
     *              then each delivery gets the statuses of one imagined reply, which Flowgate must
     *              tolerate as a message it does not know
     */
    public ChatUsers(HttpClient http, URI ingestApi, String appSecret, String wabaId, String phoneNumberId,
                     GraphApiStandIn graph, Tally tally, ThinkTime thinkTime) {
        this.client = new WebhookClient(http, ingestApi, appSecret, tally.requests());
        this.webhooks = new MetaWebhooks(wabaId, phoneNumberId);
        this.graph = graph;
        this.tally = tally;
        this.thinkTime = thinkTime;
    }

    /**
     * Whether a lead may start a chat now: false while ingest-api is known to be unreachable, except
     * once every {@link #RETRY_AFTER}, when one lead goes to find out whether it is back.
     */
    public boolean available() {
        if (!down.get()) {
            return true;
        }
        long until = pausedUntilNanos.get();
        if (System.nanoTime() - until >= 0 && pausedUntilNanos.compareAndSet(until, System.nanoTime() + RETRY_AFTER.toNanos())) {
            return true;
        }
        tally.chats().skipped();
        return false;
    }

    /** A lead arriving now; {@code random} decides everything they write. */
    public Journey arrive(RandomGenerator random, String waId) {
        return new ChatJourney(this, waId, random, tally.chats());
    }

    void unreachable() {
        pausedUntilNanos.set(System.nanoTime() + RETRY_AFTER.toNanos());
        if (down.compareAndSet(false, true)) {
            log.warn("ingest-api is not reachable at {}: chats pause (retried every {} s), Flow users go on",
                    client.webhook(), RETRY_AFTER.toSeconds());
        }
    }

    void reachable() {
        if (down.compareAndSet(true, false)) {
            log.info("ingest-api is reachable again at {}: chats resume", client.webhook());
        }
    }

    /** The wamids of what the business sent this lead: from the stand-in when there is one, else one imagined reply. */
    List<String> outgoingTo(String waId, RandomGenerator random) {
        if (graph == null) {
            return List.of(MetaWebhooks.wamid(random));
        }
        return graph.recordedTo(waId).stream().filter(m -> !"read".equals(m.type()) && m.wamid() != null).map(RecordedMessage::wamid).toList();
    }

    WebhookClient client() {
        return client;
    }

    MetaWebhooks webhooks() {
        return webhooks;
    }

    Duration thinkTime(RandomGenerator random) {
        return thinkTime.next(random);
    }
}
