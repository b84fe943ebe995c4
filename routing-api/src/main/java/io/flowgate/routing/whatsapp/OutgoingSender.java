package io.flowgate.routing.whatsapp;

import io.flowgate.meta.Masked;
import io.flowgate.routing.system.worker.Worker;
import io.flowgate.routing.whatsapp.CloudApiClient.Answer;
import io.flowgate.routing.whatsapp.OutgoingQueue.Claim;
import io.flowgate.routing.whatsapp.OutgoingQueue.Claimed;
import io.flowgate.routing.whatsapp.RetryPolicy.Decision;
import io.flowgate.routing.whatsapp.RetryPolicy.Fail;
import io.flowgate.routing.whatsapp.RetryPolicy.Retry;
import io.flowgate.routing.whatsapp.RetryPolicy.Sent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the queued WhatsApp messages: the half of {@link OutgoingMessages} that turns "queued in a
 * committed transaction" into "sent", after the inbound message's transaction and outside its critical path.
 *
 * <p>Every routing-api instance runs one worker thread; they share the queue safely through
 * {@link OutgoingQueue}'s claims, and the per-number rate limit and per-user pacing live in the database,
 * so they hold for all instances together. The worker claims due messages (as many as the rate limit and
 * {@code max-in-flight} allow), sends them concurrently, and records each outcome when its answer
 * arrives; {@link RetryPolicy} decides between sent, retry later and failed. A commit that queued a
 * message on this instance wakes the worker at once; messages queued elsewhere, or coming due, are found
 * by polling every {@code poll-interval}.
 *
 * <p>Without an access token and a phone number id the worker does not start: messages stay queued
 * (and are counted) until an instance with both comes up. One line says so at start.
 *
 * <p>A message goes out at most once as long as instances live: an instance that dies between the
 * call and the recording of its outcome leaves the message claimed, and after the claim's lease
 * another instance sends it again. The Cloud API offers no idempotency key that would prevent that.
 */
@Component
class OutgoingSender extends Worker {

    private static final Logger log = LoggerFactory.getLogger(OutgoingSender.class);
    /** Messages claimed per transaction at most; more wait for the next claim, a moment later. */
    static final int CLAIM_BATCH = 50;
    private static final Duration PACING_CLEANUP_EVERY = Duration.ofMinutes(1);
    private static final Duration DATABASE_BACKOFF_MAX = Duration.ofSeconds(10);
    private static final Duration QUEUE_DEPTH_MAX_AGE = Duration.ofSeconds(1);
    private static final int OUTCOME_TRIES = 5;
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final WhatsAppProperties properties;
    private final OutgoingQueue queue;
    private final CloudApiClient client;
    private final RetryPolicy policy;
    private final MeterRegistry registry;
    private final Counter sent;
    private final Counter retried;
    private final Counter failed;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExecutorService outcomes;

    private volatile boolean pausedForCredentials;
    private volatile long pausedUntilNanos;
    private long nextCleanupNanos = System.nanoTime(); // worker thread only
    private final Object depthLock = new Object();
    private double queueDepth = Double.NaN; // guarded by depthLock
    private long queueDepthAtNanos;         // guarded by depthLock

    OutgoingSender(WhatsAppProperties properties, OutgoingQueue queue, CloudApiClient client, MeterRegistry registry) {
        super("flowgate-whatsapp-sender", log, properties.pollInterval(), properties.pollInterval(), DATABASE_BACKOFF_MAX, STOP_GRACE);
        this.properties = properties;
        this.queue = queue;
        this.client = client;
        this.policy = new RetryPolicy(properties);
        this.registry = registry;
        this.sent = attempts(registry, "sent");
        this.retried = attempts(registry, "retry");
        this.failed = attempts(registry, "failed");
        Gauge.builder("flowgate.whatsapp.queue", this, OutgoingSender::queueDepth)
                .description("WhatsApp messages queued and not yet sent, on all instances").register(registry);
        Gauge.builder("flowgate.whatsapp.in.flight", inFlight, AtomicInteger::get)
                .description("calls to the Cloud API this instance is waiting for").register(registry);
        this.outcomes = Executors.newFixedThreadPool(2, runnable -> {
            Thread t = new Thread(runnable, "flowgate-whatsapp-outcome");
            t.setDaemon(true);
            return t;
        });
    }

    private static Counter attempts(MeterRegistry registry, String outcome) {
        return Counter.builder("flowgate.whatsapp.sent").tag("outcome", outcome)
                .description("calls to the Cloud API by outcome: sent, retry (tried again later), failed (given up)")
                .register(registry);
    }

    @Override
    protected boolean enabled() {
        if (!properties.isConfigured()) {
            log.warn("{} not set: outgoing WhatsApp messages are not sent, they stay queued until an instance "
                    + "with both starts", properties.accessToken() == null && properties.phoneNumberId() == null
                    ? "FLOWGATE_ACCESS_TOKEN and FLOWGATE_PHONE_NUMBER_ID are"
                    : properties.accessToken() == null ? "FLOWGATE_ACCESS_TOKEN is" : "FLOWGATE_PHONE_NUMBER_ID is");
            return false;
        }
        log.info("sending WhatsApp messages through {} as number {}", properties.graphApiUrl(), properties.phoneNumberId());
        return true;
    }

    @Override
    public synchronized void stop() {
        super.stop();
        // answers still on their way get recorded; what is not answered in time stays claimed and is
        // sent again after its lease by whichever instance runs then
        long deadline = System.nanoTime() + properties.requestTimeout().plus(STOP_GRACE).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline && sleep(Duration.ofMillis(50))) {
            // the answers are recorded on the outcome threads
        }
        outcomes.shutdown();
        try {
            outcomes.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected Step step() {
        int free = properties.maxInFlight() - inFlight.get();
        if (free <= 0) {
            return Step.idleFor(properties.pollInterval()); // an answer arriving wakes it
        }
        int wanted = Math.min(free, CLAIM_BATCH);
        Claim claim = queue.claim(properties.phoneNumberId(), wanted, properties.maxPerSecond(), properties.claimLease());
        claim.messages().forEach(this::dispatch);
        if (System.nanoTime() - nextCleanupNanos >= 0) {
            queue.forgetPastPacing();
            nextCleanupNanos = System.nanoTime() + PACING_CLEANUP_EVERY.toNanos();
        }
        if (claim.messages().size() < wanted) {
            Duration tokenWait = claim.tokenWait();
            return Step.idleFor(tokenWait.isZero() ? properties.pollInterval() : tokenWait);
        }
        return Step.WORKED;
    }

    private static boolean isDatabase(Throwable cause) {
        return cause instanceof DataAccessException || cause instanceof TransactionException;
    }

    @Override
    protected String failureMessage(Throwable cause) {
        return isDatabase(cause)
                ? "the WhatsApp sender cannot reach the database (" + cause.getMessage() + "); messages wait"
                : "the WhatsApp sender failed (" + cause + ")";
    }

    @Override
    protected String recoveryMessage() {
        return "the WhatsApp sender works again";
    }

    @Override
    protected boolean isBug(Throwable cause) {
        // a bug must not end the worker for good (queued messages would never leave), but its trace is wanted
        return !isDatabase(cause);
    }

    private void dispatch(Claimed message) {
        inFlight.incrementAndGet();
        CompletableFuture<Answer> answer;
        try {
            answer = client.send(message.waId(), message.payload());
        } catch (IllegalArgumentException unsendable) {
            // the queued body cannot become a request: no call, and no retry will change that
            outcomes.execute(() -> finish(message, () -> fail(message,
                    new Fail(null, "invalid_payload", "not sent: " + unsendable.getMessage()))));
            return;
        }
        answer.whenCompleteAsync((a, bug) -> finish(message, () ->
                record(message, a != null ? a : new CloudApiClient.Unreachable("answer lost: " + bug))), outcomes);
    }

    private void finish(Claimed message, Runnable recording) {
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    recording.run();
                    return;
                } catch (DataAccessException | TransactionException e) {
                    if (attempt >= OUTCOME_TRIES || !sleep(Duration.ofSeconds(attempt))) {
                        log.error("outcome of WhatsApp message {} not recorded ({}); it is sent again once its claim "
                                + "expires", message.messageId(), e.getMessage());
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            log.error("recording the outcome of WhatsApp message {} failed", message.messageId(), e);
        } finally {
            inFlight.decrementAndGet();
            wake();
        }
    }

    /**
     * Writes the outcome to the row first, then counts and logs it: when the write fails (and is
     * tried again by {@link #finish}) nothing has been counted yet.
     */
    private void record(Claimed message, Answer answer) {
        Decision decision = policy.decide(answer, message.attempt());
        if (decision instanceof Sent s) {
            claimHeld(message, queue.markSent(message, s.wamid(), properties.perUserInterval()), "sent");
            sent.increment();
            if (pausedForCredentials) {
                pausedForCredentials = false;
                log.info("the Cloud API accepts the access token again");
            }
        } else if (decision instanceof Retry r) {
            claimHeld(message, queue.reschedule(message, r.delay(), r.counts(), r.code(), r.error()), "retry");
            retried.increment();
            if (!r.pauseAll().isZero()) {
                pauseAll(r);
            }
            log.debug("WhatsApp message {} to {}: attempt {} failed ({}), next in {} ms", message.messageId(),
                    Masked.id(message.waId()), message.attempt(), r.error(), r.delay().toMillis());
        } else {
            fail(message, (Fail) decision);
        }
    }

    private void fail(Claimed message, Fail f) {
        claimHeld(message, queue.markFailed(message, f.code(), f.error()), "failed");
        failed.increment();
        Counter.builder("flowgate.whatsapp.failed").tag("code", f.metricCode())
                .description("WhatsApp messages given up for good, by Graph error code").register(registry).increment();
        log.warn("WhatsApp message {} to {} failed after {} attempt(s): {}", message.messageId(),
                Masked.id(message.waId()), message.attempt(), f.error());
    }

    private void pauseAll(Retry r) {
        try {
            queue.pauseAll(properties.phoneNumberId(), r.pauseAll());
        } catch (DataAccessException e) {
            // the message itself is rescheduled; the other senders meet the limit and pause on their own
            log.debug("could not pause the other WhatsApp senders: {}", e.getMessage());
        }
        boolean alreadyPaused = System.nanoTime() - pausedUntilNanos < 0;
        pausedUntilNanos = System.nanoTime() + r.pauseAll().toNanos();
        if (!r.counts()) {
            if (!pausedForCredentials) {
                pausedForCredentials = true;
                log.error("the Cloud API refuses the access token or its permissions ({}); sending is paused, "
                        + "messages stay queued and are tried again every {} s", r.error(), r.pauseAll().toSeconds());
            }
        } else if (!alreadyPaused) {
            log.warn("Cloud API throughput limit reached ({}); all sending paused for {} ms", r.error(), r.pauseAll().toMillis());
        }
    }

    private static void claimHeld(Claimed message, boolean recorded, String outcome) {
        if (!recorded) {
            log.warn("WhatsApp message {} to {}: outcome {} not recorded, its claim had expired and another "
                    + "instance took it over", message.messageId(), Masked.id(message.waId()), outcome);
        }
    }

    /** The queue length for the gauge, read at most once a second; NaN while the database is unreachable. */
    private double queueDepth() {
        synchronized (depthLock) {
            long now = System.nanoTime();
            if (Double.isNaN(queueDepth) || now - queueDepthAtNanos > QUEUE_DEPTH_MAX_AGE.toNanos()) {
                try {
                    queueDepth = queue.depth();
                } catch (DataAccessException e) {
                    queueDepth = Double.NaN;
                }
                queueDepthAtNanos = now;
            }
            return queueDepth;
        }
    }

    private boolean sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
