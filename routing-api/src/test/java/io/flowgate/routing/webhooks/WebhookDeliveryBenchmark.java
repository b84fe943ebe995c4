package io.flowgate.routing.webhooks;

import io.flowgate.events.LeadStateUpdated;
import io.flowgate.routing.webhooks.WebhookReceiver.Received;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Webhook deliveries per second and the delay from a lead update to its delivery. A measurement, not a test
 * (surefire skips {@code *Benchmark*}); docs/benchmarks.md, section "Outgoing webhooks", has the command and
 * the figures. A real in-process broker, PostgreSQL and one routing-api with default webhook settings (but a
 * 50 ms poll interval), one subscription, and a receiver on localhost that answers 204 at once:
 * <ol>
 *   <li>burst: {@code leads} × 10 updates written to {@code flowgate.lead-updates} at once; the clock runs
 *       from the first write until the receiver has every one;</li>
 *   <li>steady: 50 updates a second for 20 s (distinct leads); the delay of each from its event time (set
 *       when written, as the outbox relay would publish it) to its arrival at the receiver.</li>
 * </ol>
 */
class WebhookDeliveryBenchmark {

    @Test
    void measure() throws Exception {
        int leads = Integer.getInteger("leads", 500);
        try (WebhookTestBed bed = WebhookTestBed.start(Map.of());
             WebhookReceiver receiver = new WebhookReceiver(Duration.ofSeconds(1), Duration.ZERO)) {
            bed.subscribe("""
                    {"url":"%s","event_types":["lead.updated"]}""".formatted(receiver.url() + "?bench"));
            // warm-up
            List<String> warm = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                LeadStateUpdated u = WebhookTestBed.update("warm-" + i, 0, "active");
                bed.produce(u);
                warm.add(u.eventId());
            }
            await().atMost(Duration.ofMinutes(5)).until(() -> receiver.acceptedIds("bench").containsAll(warm));

            List<LeadStateUpdated> updates = new ArrayList<>();
            for (int n = 0; n < 10; n++) {
                for (int l = 0; l < leads; l++) {
                    updates.add(WebhookTestBed.update("burst-" + l, n, "active"));
                }
            }
            List<String> burst = updates.stream().map(LeadStateUpdated::eventId).toList();
            long started = System.nanoTime();
            bed.produceAll(updates);
            double written = (System.nanoTime() - started) / 1e9;
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> receiver.acceptedIds("bench").containsAll(burst));
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("burst: %d deliveries (%d leads x 10) in %.2f s (written in %.2f s): %.0f deliveries/s%n",
                    burst.size(), leads, seconds, written, burst.size() / seconds);

            List<String> steady = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                long due = t0 + i * 20_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                LeadStateUpdated u = WebhookTestBed.update("steady-" + i, 0, "active");
                bed.produce(u);
                steady.add(u.eventId());
            }
            await().atMost(Duration.ofMinutes(5)).until(() -> receiver.acceptedIds("bench").containsAll(steady));
            List<Long> delays = new ArrayList<>();
            for (Received r : receiver.received("bench")) {
                if (r.id().startsWith("lead:steady-")) {
                    delays.add(Duration.between(Instant.parse(r.json().path("occurred_at").asText()), r.at()).toMillis());
                }
            }
            delays.sort(Long::compare);
            System.out.printf("steady 50/s for 20 s: %d deliveries, delay from update to delivery p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                    delays.size(), delays.get(delays.size() / 2), delays.get(delays.size() * 95 / 100),
                    delays.get(delays.size() * 99 / 100), delays.get(delays.size() - 1));
        }
    }
}
