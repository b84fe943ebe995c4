package io.flowgate.routing.webhooks;

import io.flowgate.meta.Masked;
import io.flowgate.routing.kafka.CommittingConsumer;
import io.flowgate.routing.system.DatabaseOutage;
import io.flowgate.routing.system.worker.Worker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends the recorded deliveries ({@link WebhookRepository} decides which are due: in order per lead, leased so
 * that no two instances send one at once). Each attempt is signed ({@link WebhookSigner}) with a fresh
 * timestamp; a 2xx answer delivers it, anything else (an error status, a timeout, a refused connection) is
 * retried after an exponential backoff with full jitter until {@code retry-for} has passed, then
 * dead-lettered. {@code pause-after-failures} failed attempts in a row pause the subscription; a probe every
 * {@code probe-interval} (or an admin call) resumes it. Runs on every instance; without
 * {@code FLOWGATE_WEBHOOK_SECRET_KEY} it does not start.
 */
@Component
class DeliveryWorker extends Worker {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final Duration BACKLOG_EVERY = Duration.ofSeconds(5);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final WebhookRepository repository;
    private final SecretBox secrets;
    private final WebhookProperties properties;
    private final MeterRegistry meters;
    private final HttpClient http;
    private final Duration lease;
    private final Semaphore slots;
    private final Map<Long, AtomicLong> backlog = new ConcurrentHashMap<>();

    private ExecutorService senders;
    private long backlogAt; // worker thread only

    DeliveryWorker(WebhookRepository repository, SecretBox secrets, WebhookProperties properties, MeterRegistry meters) {
        super("flowgate-webhook-worker", log, properties.pollInterval(), Duration.ofMillis(200), Duration.ofSeconds(10),
                properties.requestTimeout());
        this.repository = repository;
        this.secrets = secrets;
        this.properties = properties;
        this.meters = meters;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.requestTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        // longer than any attempt can take: a delivery is sent again only when its sender is surely gone
        this.lease = properties.requestTimeout().multipliedBy(2).plusSeconds(5);
        this.slots = new Semaphore(properties.maxInFlight());
    }

    @Override
    protected boolean enabled() {
        if (!secrets.configured()) {
            log.info("webhook deliveries are off: FLOWGATE_WEBHOOK_SECRET_KEY is not set");
            return false;
        }
        senders = Executors.newFixedThreadPool(properties.maxInFlight(), r -> {
            Thread t = new Thread(r, "flowgate-webhook-sender-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return true;
    }

    @Override
    public synchronized void stop() {
        super.stop();
        if (senders != null) {
            senders.shutdown();
            try {
                // attempts in flight finish and record their outcome; any cut short is sent again after its lease
                senders.awaitTermination(properties.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            senders = null;
        }
    }

    @Override
    public int getPhase() {
        return CommittingConsumer.PHASE;
    }

    @Override
    protected Step step() throws InterruptedException {
        int sent = 0;
        for (WebhookRepository.Due probe : repository.claimProbes(properties.probeInterval(), lease)) {
            submit(probe);
            sent++;
        }
        int free = slots.availablePermits();
        if (free > 0) {
            for (WebhookRepository.Due due : repository.claim(free, lease)) {
                submit(due);
                sent++;
            }
        }
        refreshBacklog();
        // more may be due at once
        return sent > 0 && slots.availablePermits() > 0 ? Step.WORKED : Step.IDLE;
    }

    @Override
    protected String failureMessage(Throwable cause) {
        return "webhook worker cannot claim deliveries (" + DatabaseOutage.forLog(cause) + ")";
    }

    @Override
    protected String recoveryMessage() {
        return "webhook worker reaches the database again";
    }

    private void submit(WebhookRepository.Due due) throws InterruptedException {
        slots.acquire();
        senders.execute(() -> {
            try {
                send(due);
            } catch (RuntimeException e) {
                // the outcome could not be recorded (database away): the lease runs out and it is sent again
                log.warn("webhook delivery {} (subscription {}): outcome not recorded ({}); it is sent again after its lease",
                        due.id(), due.subscriptionId(), DatabaseOutage.forLog(e).toString());
            } finally {
                slots.release();
                wake();
            }
        });
    }

    private void send(WebhookRepository.Due due) {
        String subscription = String.valueOf(due.subscriptionId());
        byte[] body = due.body().getBytes(StandardCharsets.UTF_8);
        if (body.length > properties.maxBodyBytes()) {
            repository.dead(due, "body of " + body.length + " bytes is over flowgate.webhooks.max-body-bytes");
            count(subscription, "dead");
            log.warn("webhook delivery {} (subscription {}, lead {}) dead-lettered: body too large", due.id(), subscription, Masked.id(due.leadKey()));
            return;
        }
        String secret;
        try {
            secret = secrets.decrypt(due.secretEncrypted());
        } catch (IllegalStateException e) {
            repository.dead(due, e.getMessage());
            count(subscription, "dead");
            log.error("webhook delivery {} (subscription {}) dead-lettered: {}", due.id(), subscription, e.getMessage());
            return;
        }
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(due.url())).timeout(properties.requestTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Flowgate-Webhooks/1")
                    .header("webhook-id", due.eventId())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", WebhookSigner.sign(secret, due.eventId(), timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        } catch (IllegalArgumentException e) {
            failed(due, subscription, null, "the URL is not usable");
            return;
        }
        long started = System.nanoTime();
        Integer status = null;
        String error;
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            status = response.statusCode();
            error = status >= 200 && status < 300 ? null : "HTTP " + status;
        } catch (HttpTimeoutException e) {
            error = "timed out after " + properties.requestTimeout().toMillis() + " ms";
        } catch (ConnectException e) {
            error = "connection refused or unreachable";
        } catch (IOException e) {
            error = "I/O error: " + e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // stopping: the lease runs out and it is sent again
        }
        Timer.builder("flowgate.webhooks.request").description("webhook attempts, by subscription")
                .tag("subscription", subscription).tag("outcome", error == null ? "delivered" : "failed")
                .register(meters).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        if (error == null) {
            boolean wasPaused = repository.delivered(due, status);
            count(subscription, "delivered");
            Timer.builder("flowgate.webhooks.delay").description("from the lead update to its delivery, by subscription")
                    .tag("subscription", subscription).register(meters)
                    .record(Duration.between(due.occurredAt(), Instant.now()));
            log.debug("webhook delivery {} ({}) of {} delivered to subscription {}", due.id(), due.eventId(), Masked.id(due.leadKey()), subscription);
            if (wasPaused) {
                log.info("webhook subscription {} resumed: its receiver accepted a delivery again", subscription);
            }
        } else {
            failed(due, subscription, status, error);
        }
    }

    private void failed(WebhookRepository.Due due, String subscription, Integer status, String error) {
        boolean dead = repository.failed(due, status, error, backoff(due.attempts()), properties.retryFor());
        count(subscription, dead ? "dead" : "failed");
        boolean paused = repository.countFailure(due.subscriptionId(), properties.pauseAfterFailures(),
                properties.pauseAfterFailures() + " failed attempts in a row; last: " + error, properties.probeInterval());
        if (dead) {
            log.warn("webhook delivery {} ({}) of {} to subscription {} dead-lettered after {} attempts: {}",
                    due.id(), due.eventId(), Masked.id(due.leadKey()), subscription, due.attempts(), error);
        } else {
            log.info("webhook delivery {} of {} to subscription {} failed (attempt {}): {}",
                    due.id(), Masked.id(due.leadKey()), subscription, due.attempts(), error);
        }
        if (paused) {
            log.warn("webhook subscription {} paused after {} failed attempts in a row (last: {}); probed every {}",
                    subscription, properties.pauseAfterFailures(), error, properties.probeInterval());
        }
    }

    /** Full jitter: a random wait up to min-backoff doubled per earlier attempt, at most max-backoff. */
    Duration backoff(int attempts) {
        long cap = properties.minBackoff().toMillis() << Math.min(Math.max(attempts - 1, 0), 30);
        cap = Math.min(Math.max(cap, 1), properties.maxBackoff().toMillis());
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1));
    }

    private void count(String subscription, String outcome) {
        meters.counter("flowgate.webhooks.deliveries", "subscription", subscription, "outcome", outcome).increment();
    }

    private void refreshBacklog() {
        long now = System.nanoTime();
        if (now - backlogAt < BACKLOG_EVERY.toNanos() && backlogAt != 0) {
            return;
        }
        backlogAt = now;
        Map<Long, Long> counts = repository.backlog();
        backlog.forEach((sub, gauge) -> gauge.set(counts.getOrDefault(sub, 0L)));
        counts.forEach((sub, count) -> backlog.computeIfAbsent(sub, s -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("flowgate.webhooks.backlog", value, AtomicLong::get)
                    .description("deliveries waiting to be sent, by subscription")
                    .tag("subscription", String.valueOf(s)).register(meters);
            return value;
        }).set(count));
    }

    /** For tests: look for due deliveries now. */
    void wakeUp() {
        wake();
    }
}
