package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.LeadStateUpdated;
import io.flowgate.routing.webhooks.WebhookReceiver.Behaviour;
import io.flowgate.routing.webhooks.WebhookReceiver.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Receivers that fail for longer: a lead whose deliveries keep failing is dead-lettered after
 * {@code retry-for} (shortened to 10 s here) without holding up other leads, listed in the admin API and
 * redelivered on request; a receiver that fails every attempt is paused (5 failures in a row here) and probed
 * (every second here) rather than hammered; a receiver down for a while (4 s here, standing in for minutes)
 * loses nothing and gets each lead's updates in order.
 */
class WebhookFailuresTest {

    private static WebhookTestBed bed;
    private static WebhookReceiver receiver;

    @BeforeAll
    static void start() {
        bed = WebhookTestBed.start(Map.of(
                "flowgate.webhooks.request-timeout", "1s",
                "flowgate.webhooks.min-backoff", "50ms",
                "flowgate.webhooks.max-backoff", "500ms",
                "flowgate.webhooks.retry-for", "10s",
                "flowgate.webhooks.pause-after-failures", "5",
                "flowgate.webhooks.probe-interval", "1s"));
        receiver = new WebhookReceiver(Duration.ofSeconds(3), Duration.ofMillis(200));
    }

    @AfterAll
    static void stop() {
        receiver.close();
        bed.close();
    }

    @Test
    void aFailingLeadIsDeadLetteredWithoutHoldingUpOthersAndRedeliveredOnRequest() {
        long sub = bed.subscribe("""
                {"url":"%s","event_types":["lead.updated"]}""".formatted(receiver.url() + "?dead")).path("subscription_id").asLong();
        AtomicBoolean stuckFails = new AtomicBoolean(true);
        receiver.behave(json -> stuckFails.get() && json.path("lead").path("wa_id").asText().equals("dead-stuck")
                ? Behaviour.FAIL_500 : Behaviour.ACCEPT);
        List<String> others = new ArrayList<>();
        bed.produce(WebhookTestBed.update("dead-stuck", 0, "active"), WebhookTestBed.update("dead-stuck", 1, "active"));
        for (int n = 0; n < 5; n++) {
            for (int l = 0; l < 3; l++) {
                LeadStateUpdated u = WebhookTestBed.update("dead-other-" + l, n, "active");
                bed.produce(u);
                others.add(u.eventId());
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.acceptedIds("dead").containsAll(others));
        assertThat(ids("dead", "dead-stuck")).as("the stuck lead's second update waits for its first").containsOnly("lead:dead-stuck:0");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                bed.app().admin("GET", "/api/webhooks/" + sub + "/deliveries?status=dead", null).json().path("deliveries").size() == 1);
        JsonNode dead = bed.app().admin("GET", "/api/webhooks/" + sub + "/deliveries?status=dead", null).json().path("deliveries").get(0);
        assertThat(dead.path("event_id").asText()).isEqualTo("lead:dead-stuck:0");
        assertThat(dead.path("last_error").asText()).isEqualTo("HTTP 500");
        assertThat(dead.path("lead").asText()).isEqualTo("***tuck");
        // dead-lettered, the first no longer holds up the second
        await().atMost(Duration.ofSeconds(60)).until(() -> ids("dead", "dead-stuck").contains("lead:dead-stuck:1"));

        stuckFails.set(false);
        bed.app().admin("POST", "/api/webhooks/" + sub + "/resume", null);
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.acceptedIds("dead").contains("lead:dead-stuck:1"));
        var redelivered = bed.app().admin("POST", "/api/webhooks/" + sub + "/deliveries/" + dead.path("delivery_id").asLong() + "/redeliver", null);
        assertThat(redelivered.status()).as(redelivered.raw()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.acceptedIds("dead").contains("lead:dead-stuck:0"));
        assertThat(bed.app().admin("GET", "/api/webhooks/" + sub + "/deliveries?status=dead", null).json().path("deliveries")).isEmpty();
    }

    @Test
    void aReceiverThatKeepsFailingIsPausedNotHammeredAndAProbeResumesIt() throws Exception {
        long sub = bed.subscribe("""
                {"url":"%s","event_types":["lead.updated"]}""".formatted(receiver.url() + "?pause")).path("subscription_id").asLong();
        AtomicBoolean down = new AtomicBoolean(true);
        receiver.behave(json -> down.get() && json.path("lead").path("wa_id").asText().startsWith("pause-") ? Behaviour.FAIL_500 : Behaviour.ACCEPT);
        List<String> ids = new ArrayList<>();
        for (int l = 0; l < 10; l++) {
            LeadStateUpdated u = WebhookTestBed.update("pause-" + l, 0, "active");
            bed.produce(u);
            ids.add(u.eventId());
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                "paused".equals(bed.app().admin("GET", "/api/webhooks/" + sub, null).json().path("status").asText()));
        JsonNode paused = bed.app().admin("GET", "/api/webhooks/" + sub, null).json();
        assertThat(paused.path("pause_reason").asText()).isEqualTo("5 failed attempts in a row; last: HTTP 500");
        int before = receiver.received("pause").size();
        Thread.sleep(3000);
        int during = receiver.received("pause").size() - before;
        // unpaused, ten leads retried every 50-500 ms would be ~100 attempts; paused, one probe a second
        assertThat(during).as("attempts in 3 s while paused").isLessThanOrEqualTo(5);

        down.set(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.acceptedIds("pause").containsAll(ids));
        assertThat(bed.app().admin("GET", "/api/webhooks/" + sub, null).json().path("status").asText()).isEqualTo("active");
    }

    @Test
    void aReceiverDownForAWhileLosesNothingAndGetsEachLeadInOrder() throws Exception {
        WebhookReceiver down = new WebhookReceiver(Duration.ofSeconds(3), Duration.ofMillis(200));
        int port = java.net.URI.create(down.url()).getPort();
        String url = down.url() + "?down";
        down.close();
        try {
            long sub = bed.subscribe("""
                    {"url":"%s","event_types":["lead.updated"]}""".formatted(url)).path("subscription_id").asLong();
            List<String> ids = new ArrayList<>();
            for (int n = 0; n < 4; n++) {
                for (int l = 0; l < 3; l++) {
                    LeadStateUpdated u = WebhookTestBed.update("down-" + l, n, "active");
                    bed.produce(u);
                    ids.add(u.eventId());
                }
            }
            Thread.sleep(4000);
            down = WebhookReceiver.onPort(port, Duration.ofSeconds(3), Duration.ofMillis(200));
            WebhookReceiver up = down;
            await().atMost(Duration.ofSeconds(60)).until(() -> up.acceptedIds("down").containsAll(ids));
            Map<String, List<Integer>> byLead = new LinkedHashMap<>();
            for (Received r : up.received("down")) {
                byLead.computeIfAbsent(r.waId(), k -> new ArrayList<>()).add(r.json().path("lead").path("score").asInt());
            }
            byLead.values().forEach(scores -> assertThat(scores).isEqualTo(List.of(0, 1, 2, 3)));
            assertThat(bed.app().admin("DELETE", "/api/webhooks/" + sub, null).status()).isEqualTo(204);
        } finally {
            down.close();
        }
    }

    private static List<String> ids(String query, String waId) {
        return receiver.received(query).stream().filter(r -> r.waId().equals(waId)).map(Received::id).distinct().toList();
    }
}
