package io.flowgate.routing.webhooks;

import io.flowgate.events.LeadStateUpdated;
import io.flowgate.routing.RoutingApiApplication;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.webhooks.WebhookReceiver.Behaviour;
import io.flowgate.routing.webhooks.WebhookReceiver.Received;
import io.flowgate.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * routing-api killed with SIGKILL in the middle of a delivery (a child JVM, since only a process of its own can
 * be killed like that; its receiver has the request in hand), while more updates keep being committed: the
 * instance started after it sends the interrupted delivery again once its lease ends, records the events the
 * dead one had read but not committed, and every update of every lead arrives, in order per lead.
 */
class WebhookCrashTest {

    private static WebhookTestBed bed;
    private static WebhookReceiver receiver;

    @BeforeAll
    static void start() {
        bed = WebhookTestBed.start(Map.of("flowgate.webhooks.request-timeout", "3s",
                "flowgate.webhooks.min-backoff", "50ms", "flowgate.webhooks.max-backoff", "500ms"));
        receiver = new WebhookReceiver(Duration.ofSeconds(8), Duration.ofMillis(100));
    }

    @AfterAll
    static void stop() {
        receiver.close();
        bed.close();
    }

    @Test
    @Timeout(300)
    void aKillMidDeliveryLosesNothingAndKeepsTheOrder() throws Exception {
        bed.subscribe("""
                {"url":"%s","event_types":["lead.updated"]}""".formatted(receiver.url() + "?crash"));
        bed.stopApp();
        CountDownLatch inFlight = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        receiver.behave(json -> {
            if (json.path("event_id").asText().equals("lead:crash-0:2") && interrupted.getAndIncrement() == 0) {
                inFlight.countDown();
                return Behaviour.TIME_OUT; // holds the request while the sender is killed
            }
            return Behaviour.ACCEPT;
        });
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            for (int l = 0; l < 3; l++) {
                LeadStateUpdated u = WebhookTestBed.update("crash-" + l, n, "active");
                bed.produce(u);
                ids.add(u.eventId());
            }
        }

        Path log = Files.createTempFile("routing-api-child", ".log");
        Process child = child(log);
        try {
            assertThat(inFlight.await(180, TimeUnit.SECONDS)).as("the child sent crash-0:2; its log: %s", log).isTrue();
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        } finally {
            child.destroyForcibly();
        }
        // committed while no routing-api runs
        for (int n = 4; n < 6; n++) {
            for (int l = 0; l < 3; l++) {
                LeadStateUpdated u = WebhookTestBed.update("crash-" + l, n, "active");
                bed.produce(u);
                ids.add(u.eventId());
            }
        }
        bed.startAgain();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> receiver.acceptedIds("crash").containsAll(ids));
        Map<String, List<Integer>> byLead = new LinkedHashMap<>();
        for (Received r : receiver.received("crash")) {
            byLead.computeIfAbsent(r.waId(), k -> new ArrayList<>()).add(r.json().path("lead").path("score").asInt());
        }
        assertThat(byLead).hasSize(3);
        byLead.forEach((lead, scores) -> {
            assertThat(scores).as(lead).isSorted();
            assertThat(scores.stream().distinct().toList()).as(lead).isEqualTo(List.of(0, 1, 2, 3, 4, 5));
        });
        assertThat(interrupted.get()).as("crash-0:2 sent again after the kill").isGreaterThanOrEqualTo(2);
    }

    /** Starts routing-api in a JVM of its own, on the bed's database and broker, with the bed's settings. */
    private static Process child(Path log) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> props = new LinkedHashMap<>(bed.properties());
        props.put("server.port", port);
        props.put("spring.datasource.url", bed.app().dbUrl());
        props.put("spring.datasource.username", "postgres");
        props.put("spring.datasource.password", "");
        props.put("flowgate.admin.token", RoutingApiInstance.ADMIN_TOKEN);
        props.put("flowgate.endpoint.app-secret", RoutingApiInstance.APP_SECRET);
        props.put("flowgate.endpoint.private-key",
                TestKeys.writePkcs8(TestKeys.generate(), Files.createTempDirectory("flowgate-keys-"), "private.pem").toString());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), RoutingApiApplication.class.getName()));
        props.forEach((k, v) -> command.add("--" + k + "=" + v));
        // not waited for: it is killed the moment its receiver has the request in hand, however long its start took
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
