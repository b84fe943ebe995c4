package io.flowgate.routing.kafka;

import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;

import java.time.Duration;

/**
 * Whether Kafka can be reached, for features that run Kafka clients of their own (the chat and webhook consumers).
 * Such a client must not exist while Kafka is away: it would retry, and log a warning, about once a
 * second for the whole outage. Watched by one background check (see docs/events.md, "When Kafka is away").
 */
public interface KafkaStatus {

    /**
     * The lifecycle phase of the watch: started before and stopped after the web server, so events of the
     * last requests still go out; a Kafka client that uses this status starts after it and stops before it.
     */
    int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 2048;

    /** The brokers, as configured ({@code KAFKA_BOOTSTRAP_SERVERS}). */
    String bootstrapServers();

    /** Kafka answered the last check and the topics exist. */
    boolean isAvailable();

    /** Waits until Kafka is available, at most {@code timeout}; returns whether it is. */
    boolean awaitAvailable(Duration timeout) throws InterruptedException;

    /** Runs {@code listener} (on the watcher thread) each time Kafka stops being available. */
    void onUnavailable(Runnable listener);
}
