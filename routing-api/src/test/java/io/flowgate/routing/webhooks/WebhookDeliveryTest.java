package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.LeadStateUpdated;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.webhooks.WebhookReceiver.Behaviour;
import io.flowgate.routing.webhooks.WebhookReceiver.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Outgoing webhooks against real receivers on localhost: a receiver that answers 500, times out, answers
 * slowly and takes a delivery but answers too late (so it gets it twice) still gets every update, in order
 * per lead, signed, with the event id to deduplicate by; an independent Node.js verifier accepts the real
 * signatures and refuses a replay and a tampered body; the body is versioned, free text goes only where
 * asked for, mappings reshape it; and the admin API validates, and never shows a secret again.
 */
class WebhookDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static WebhookTestBed bed;
    private static WebhookReceiver receiver;

    @BeforeAll
    static void start() {
        bed = WebhookTestBed.start(Map.of(
                "flowgate.webhooks.request-timeout", "1s",
                "flowgate.webhooks.min-backoff", "20ms",
                "flowgate.webhooks.max-backoff", "300ms",
                "flowgate.webhooks.pause-after-failures", "1000"));
        receiver = new WebhookReceiver(Duration.ofMillis(1500), Duration.ofMillis(400));
    }

    @AfterAll
    static void stop() {
        receiver.close();
        bed.close();
    }

    @Test
    void anUnreliableReceiverGetsEveryUpdateAtLeastOnceInOrderPerLead() throws Exception {
        JsonNode created = bed.subscribe("""
                {"name":"chaos","url":"%s","event_types":["lead.updated","lead.qualified"],"machine_id":null}"""
                .formatted(receiver.url() + "?chaos"));
        String secret = created.path("secret").asText();
        long subscription = created.path("subscription_id").asLong();
        // what each update meets on its first attempts, by its number: 500, a timeout, a slow answer, taken but
        // answered too late, two 500s; then it is accepted
        Map<String, Integer> seen = new HashMap<>();
        receiver.behave(json -> {
            String id = json.path("event_id").asText();
            if (!id.startsWith("lead:chaos-")) {
                return Behaviour.ACCEPT;
            }
            int n = Integer.parseInt(id.substring(id.lastIndexOf(':') + 1));
            int attempt;
            synchronized (seen) {
                attempt = seen.merge(id, 1, Integer::sum);
            }
            return switch (n % 5) {
                case 1 -> attempt == 1 ? Behaviour.FAIL_500 : Behaviour.ACCEPT;
                case 2 -> attempt == 1 ? Behaviour.TIME_OUT : Behaviour.ACCEPT;
                case 3 -> Behaviour.SLOW;
                case 4 -> attempt == 1 ? Behaviour.ACCEPT_THEN_TIME_OUT : Behaviour.ACCEPT;
                default -> n > 0 && attempt <= 2 ? Behaviour.FAIL_500 : Behaviour.ACCEPT;
            };
        });
        int leads = 6;
        int updates = 8;
        List<String> expected = new ArrayList<>();
        for (int n = 0; n < updates; n++) {
            for (int l = 0; l < leads; l++) {
                LeadStateUpdated u = WebhookTestBed.update("chaos-" + l, n, n == updates - 1 ? "completed" : "active");
                bed.produce(u);
                expected.add(u.eventId());
            }
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> receiver.acceptedIds("chaos").containsAll(expected));

        List<Received> chaos = receiver.received("chaos").stream().filter(r -> r.id().startsWith("lead:chaos-")).toList();
        Map<String, List<Integer>> byLead = new LinkedHashMap<>();
        Map<String, byte[]> bodies = new HashMap<>();
        for (Received r : chaos) {
            byLead.computeIfAbsent(r.waId(), k -> new ArrayList<>()).add(r.json().path("lead").path("score").asInt());
            // a receiver deduplicates by webhook-id: every copy of a delivery is the same bytes, and the body names it too
            byte[] first = bodies.putIfAbsent(r.id(), r.body());
            assertThat(first == null || Arrays.equals(first, r.body())).as("copies of %s", r.id()).isTrue();
            assertThat(r.json().path("event_id").asText()).isEqualTo(r.id());
            assertThat(r.signature()).isEqualTo(WebhookSigner.sign(secret, r.id(), Long.parseLong(r.timestamp()), r.body()));
        }
        assertThat(byLead).hasSize(leads);
        byLead.forEach((lead, scores) -> {
            // retries repeat an update, but no update of a lead ever arrives before an earlier one was taken
            assertThat(scores).as("updates of %s in the order they arrived", lead).isSorted();
            assertThat(scores.stream().distinct().toList()).as(lead).isEqualTo(java.util.stream.IntStream.range(0, updates).boxed().toList());
        });
        assertThat(chaos.size()).as("attempts, with the retries").isGreaterThan(leads * updates);
        // the last update completed each lead: the subscription asked for lead.qualified, so that is its type
        assertThat(chaos.stream().filter(r -> r.json().path("lead").path("score").asInt() == updates - 1)
                .map(r -> r.json().path("type").asText()).distinct().toList()).containsExactly("lead.qualified");

        String metrics = prometheus();
        assertThat(metrics).contains("flowgate_webhooks_deliveries_total{outcome=\"delivered\",subscription=\"" + subscription + "\"}");
        assertThat(metrics).contains("flowgate_webhooks_deliveries_total{outcome=\"failed\",subscription=\"" + subscription + "\"}");
        assertThat(metrics).contains("flowgate_webhooks_delay_seconds_count{subscription=\"" + subscription + "\"}");
        assertThat(metrics).contains("flowgate_webhooks_request_seconds_count{outcome=\"failed\",subscription=\"" + subscription + "\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> prometheus().contains("flowgate_webhooks_backlog{subscription=\"" + subscription + "\"} 0.0"));
        JsonNode listed = bed.app().admin("GET", "/api/webhooks/" + subscription + "/deliveries?status=delivered&limit=1000", null).json();
        assertThat(listed.path("deliveries")).hasSize(leads * updates);
        assertThat(listed.toString()).doesNotContain("chaos-0\"").doesNotContain("free text");
    }

    @Test
    void anIndependentNodeVerifierAcceptsRealSignaturesAndRefusesAReplayAndATamperedBody() throws Exception {
        JsonNode created = bed.subscribe("""
                {"name":"node","url":"%s","event_types":["lead.updated"]}""".formatted(receiver.url() + "?node"));
        String secret = created.path("secret").asText();
        assertThat(secret).startsWith("whsec_");
        LeadStateUpdated u = WebhookTestBed.update("node-1", 1, "active");
        bed.produce(u);
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.acceptedIds("node").contains(u.eventId()));
        Received r = receiver.received("node").stream().filter(x -> x.id().equals(u.eventId())).findFirst().orElseThrow();
        long ts = Long.parseLong(r.timestamp());
        assertThat(ts).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(120L));

        byte[] tampered = new String(r.body(), StandardCharsets.UTF_8).replace("\"score\":1", "\"score\":9").getBytes(StandardCharsets.UTF_8);
        assertThat(tampered).isNotEqualTo(r.body());
        Map<String, String> restamped = new HashMap<>(WebhookReceiver.headers(r));
        restamped.put("webhook-timestamp", Long.toString(ts + 3600));
        List<String> results = node(List.of(
                nodeCase(secret, WebhookReceiver.headers(r), r.body(), ts + 2),
                // the same delivery replayed an hour later
                nodeCase(secret, WebhookReceiver.headers(r), r.body(), ts + 3600),
                // a replay whose timestamp was moved forward: the signature no longer matches
                nodeCase(secret, restamped, r.body(), ts + 3600),
                nodeCase(secret, WebhookReceiver.headers(r), tampered, ts + 2),
                nodeCase(WebhookSigner.newSecret(), WebhookReceiver.headers(r), r.body(), ts + 2)));
        assertThat(results).hasSize(5);
        assertThat(results.get(0)).isEqualTo("ok");
        assertThat(results.get(1)).startsWith("refused: timestamp");
        assertThat(results.get(2)).startsWith("refused: no valid");
        assertThat(results.get(3)).startsWith("refused: no valid");
        assertThat(results.get(4)).startsWith("refused: no valid");
    }

    @Test
    void theBodyIsVersionedFreeTextGoesOnlyWhereAskedAndMappingsReshapeIt() throws Exception {
        String wa = "15550009" + (1000 + (int) (Math.random() * 8999));
        bed.jdbc().sql("""
                INSERT INTO lead_qualifications (wa_id, send_to, machine_id, session_id, session_started_at, current_state, last_interaction)
                VALUES (:wa, :wa, 'lead_qualification', :s, now(), 'ASK_BUDGET', now())""").param("wa", wa).param("s", UUID.randomUUID()).update();
        String base = receiver.url() + "?shape";
        long plain = bed.subscribe("""
                {"url":"%s&plain","event_types":["lead.updated"],"machine_id":"lead_qualification"}""".formatted(base)).path("subscription_id").asLong();
        bed.subscribe("""
                {"url":"%s&free","event_types":["lead.updated"],"include_free_text":true}""".formatted(base));
        bed.subscribe("""
                {"url":"%s&hubspot","event_types":["lead.updated"],"mapping_template":"hubspot-contact"}""".formatted(base));
        bed.subscribe("""
                {"url":"%s&othermachine","event_types":["lead.updated"],"machine_id":"another_machine"}""".formatted(base));
        bed.subscribe("""
                {"url":"%s&flow","event_types":["flow.completed"],"flow_id":"shape-flow"}""".formatted(base));
        LeadStateUpdated u = new LeadStateUpdated("lead:shape-" + wa, Instant.now(), new LeadStateUpdated.Data(wa, "ASK_NAME",
                "ASK_BUDGET", 5, Map.of("name", "Ivy Chen", "budget", 4000L), "normal", "active"));
        FlowTransition otherFlow = flowDone("other-flow", wa);
        FlowTransition done = flowDone("shape-flow", wa);
        bed.produce(u, otherFlow, done);
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.received().stream()
                .filter(r -> r.query().startsWith("shape&")).count() >= 4);
        Thread.sleep(1000); // anything wrongly queued would arrive by now
        Map<String, JsonNode> got = receiver.received().stream().filter(r -> r.query().startsWith("shape&"))
                .collect(Collectors.toMap(r -> r.query().substring("shape&".length()), Received::json));
        // one each (no duplicates: this receiver accepts at once); the other machine's and the other Flow's none
        assertThat(got.keySet()).containsExactlyInAnyOrder("plain", "free", "hubspot", "flow");
        assertThat(receiver.received().stream().map(Received::id)).doesNotContain(otherFlow.eventId());
        JsonNode p = got.get("plain");
        assertThat(p.path("schema_version").asInt()).isEqualTo(1);
        assertThat(p.path("type").asText()).isEqualTo("lead.updated");
        assertThat(p.path("lead").path("machine_id").asText()).isEqualTo("lead_qualification");
        assertThat(p.path("lead").path("state").asText()).isEqualTo("ASK_BUDGET");
        assertThat(p.path("change").path("from").asText()).isEqualTo("ASK_NAME");
        assertThat(p.path("lead").path("answers").toString()).isEqualTo("{\"budget\":4000}");
        assertThat(got.get("free").path("lead").path("answers").path("name").asText()).isEqualTo("Ivy Chen");
        JsonNode hub = got.get("hubspot").path("properties");
        assertThat(hub.path("phone").asText()).isEqualTo(wa);
        assertThat(hub.path("flowgate_budget").asLong()).isEqualTo(4000);
        assertThat(hub.path("lifecyclestage").asText()).isEqualTo("lead");
        assertThat(hub.has("flowgate_industry")).as("no answer, no field").isFalse();
        assertThat(hub.toString()).doesNotContain("Ivy");
        JsonNode flow = got.get("flow");
        assertThat(flow.path("type").asText()).isEqualTo("flow.completed");
        assertThat(flow.path("flow").path("flow_id").asText()).isEqualTo("shape-flow");
        assertThat(bed.app().admin("GET", "/api/webhooks/" + plain, null).json().path("backlog").asInt()).isZero();
    }

    @Test
    void recordsWebhooksSkipAreCommittedTogetherAtLeastOnceASecondNotOncePerPoll() throws Exception {
        String group = bed.app().context().getBean(WebhookProperties.class).consumerGroup();
        Counter skipped = bed.app().context().getBean(MeterRegistry.class)
                .counter("flowgate.webhooks.updates", "outcome", "not_for_webhooks");
        long commitsBefore = offsetCommits();
        long started = System.nanoTime();
        List<EndpointRequest> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            // one at a time, each skipped before the next is written: each is a poll of its own
            EndpointRequest r = new EndpointRequest(UUID.randomUUID().toString(), Instant.now(), "flow", "skip-" + i,
                    "A", "data_exchange", 200, "ok", 900);
            double before = skipped.count();
            bed.produce(r);
            requests.add(r);
            await().atMost(Duration.ofSeconds(60)).until(() -> skipped.count() > before);
        }
        double producingSeconds = (System.nanoTime() - started) / 1e9;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bed.broker().bootstrapServers()))) {
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (var e : admin.listOffsets(admin.describeTopics(List.of(io.flowgate.events.Topics.TRANSITIONS)).allTopicNames().get()
                    .get(io.flowgate.events.Topics.TRANSITIONS).partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(io.flowgate.events.Topics.TRANSITIONS, p.partition()),
                            p -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get().entrySet()) {
                ends.put(e.getKey(), e.getValue().offset());
            }
            // skipped records are committed all the same (within about a second), so a restart does not read them again
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                return ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                        || committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue());
            });
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long commits = offsetCommits() - commitsBefore;
        System.out.printf("offset commits for %d skipped records: %d (produced and skipped in %.1f s, committed after %.1f s)%n",
                requests.size(), commits, producingSeconds, seconds);
        // one commit per poll would be 20; batched, one a second at most (and one more at either end)
        assertThat(commits).as("offset commits for %d skipped records produced in %.1f s, committed after %.1f s", requests.size(),
                producingSeconds, seconds).isLessThanOrEqualTo(2 + (long) Math.ceil(seconds));
    }

    /** OffsetCommit requests the in-process broker has served (its request metrics, per API version). */
    private static long offsetCommits() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        long count = 0;
        for (ObjectName name : jmx.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=OffsetCommit,*"), null)) {
            count += (Long) jmx.getAttribute(name, "Count");
        }
        return count;
    }

    @Test
    void theAdminApiValidatesNamesTheFieldsAndNeverShowsTheSecretAgain() {
        RoutingApiInstance app = bed.app();
        var bad = app.admin("POST", "/api/webhooks", """
                {"url":"http://crm.example.com/hook","event_types":["lead.updated","lead.sold"],"secret":"abc",
                 "mapping":{"properties":{"x":"/lead/nope","y":"no-pointer","z":{"const":1}}},"colour":"red"}""");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.raw()).contains("url: https, or http to localhost only").contains("event_types: \\\"lead.sold\\\"")
                .contains("secret: whsec_").contains("mapping.properties.x: lead has no member nope")
                .contains("mapping.properties.y: not a JSON Pointer").contains("colour: not a field");
        assertThat(app.admin("POST", "/api/webhooks", "[1]").status()).isEqualTo(400);
        assertThat(app.admin("POST", "/api/webhooks", "{\"url\":\"https://x.example\",\"event_types\":[\"lead.updated\"],"
                + "\"mapping_template\":\"zoho\"}").raw()).contains("mapping_template: one of [hubspot-contact, salesforce-lead]");
        assertThat(app.admin("GET", "/api/webhooks/999999", null).status()).isEqualTo(404);
        assertThat(app.admin("POST", "/api/webhooks/999999/deliveries/1/redeliver", null).status()).isEqualTo(404);
        assertThat(app.admin("GET", "/api/webhooks/1/deliveries?status=lost", null).status()).isEqualTo(400);

        String given = WebhookSigner.newSecret();
        var created = app.admin("POST", "/api/webhooks", """
                {"name":"Sales CRM","url":"https://crm.example.com/hook","secret":"%s","event_types":["lead.qualified"],
                 "mapping_template":"salesforce-lead"}""".formatted(given));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.json().path("secret").asText()).isEqualTo(given);
        long id = created.json().path("subscription_id").asLong();
        String shown = app.admin("GET", "/api/webhooks/" + id, null).raw();
        String listed = app.admin("GET", "/api/webhooks", null).raw();
        String secretPart = given.substring("whsec_".length());
        assertThat(shown).contains("\"status\": \"active\"").doesNotContain(secretPart).doesNotContain("secret");
        assertThat(listed).doesNotContain(secretPart).doesNotContain("secret_encrypted");
        byte[] stored = bed.jdbc().sql("SELECT secret_encrypted FROM webhook_subscriptions WHERE subscription_id = :id")
                .param("id", id).query(byte[].class).single();
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(secretPart).doesNotContain("whsec_");
        assertThat(app.admin("GET", "/api/webhooks/templates/hubspot-contact", null).json().path("properties").has("phone")).isTrue();
        assertThat(app.admin("PUT", "/api/webhooks/" + id, "{\"url\":\"https://crm.example.com/v2\",\"event_types\":[\"lead.cold\"],\"enabled\":false}")
                .json().path("status").asText()).isEqualTo("disabled");
        assertThat(app.admin("DELETE", "/api/webhooks/" + id, null).status()).isEqualTo(204);
    }

    private static FlowTransition flowDone(String flow, String wa) {
        return new FlowTransition(UUID.randomUUID().toString(), Instant.now(), flow, UUID.randomUUID().toString(), wa,
                Instant.now(), "DETAILS", "SUCCESS", "data_exchange", Map.of("item_id", "x"), true, false, FlowTransition.SOURCE_FLOW);
    }

    private static String prometheus() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(bed.app().uri("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static String nodeCase(String secret, Map<String, String> headers, byte[] body, long now) throws Exception {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("secret", secret);
        c.put("headers", headers);
        c.put("body_base64", Base64.getEncoder().encodeToString(body));
        c.put("now", now);
        return JSON.writeValueAsString(c);
    }

    /** Runs test resource webhooks/verify.js with the cases on stdin; returns its lines. */
    private static List<String> node(List<String> cases) throws Exception {
        Path script = Files.createTempFile("verify", ".js");
        try (var in = WebhookDeliveryTest.class.getResourceAsStream("/webhooks/verify.js")) {
            Files.write(script, Objects.requireNonNull(in).readAllBytes());
        }
        Process p = new ProcessBuilder("/usr/bin/node", script.toString()).redirectErrorStream(true).start();
        try (Writer w = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String c : cases) {
                w.write(c + "\n");
            }
        }
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        return lines;
    }
}
