package io.flowgate.routing.outbox;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.Topics;
import io.flowgate.routing.kafka.EventPublisher;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * routing-api without a reachable Kafka (every test that does not care about Kafka runs like this):
 * it starts, serves and commits, the events wait in the outbox, and the log gets one warning, not one
 * per retry (the warning itself: KafkaAvailabilityTest).
 */
class WithoutKafkaTest {

    private static final String EVENTS_DROPPED = "flowgate.events.dropped";

    @Test
    void routingApiStartsServesAndKeepsEventsWithoutKafka() throws Exception {
        try (OutboxApp app = OutboxApp.start("localhost:" + closedPort())) {
            ListAppender<ILoggingEvent> logs = capture(org.slf4j.Logger.ROOT_LOGGER_NAME);
            try {
                assertThat(app.get("/actuator/health")).startsWith("200 ");

                FlowTransition event = app.commitStep("no-kafka-session", 1);
                assertThat(app.outboxRows()).isEqualTo(1);
                await().atMost(10, TimeUnit.SECONDS).until(() -> app.gauge("flowgate.outbox.backlog") == 1);

                double dropped = app.counter(EVENTS_DROPPED, "reason", "kafka_unavailable");
                app.bean(EventPublisher.class).publish(Topics.TRANSITIONS, new EndpointRequest("no-kafka-request",
                        Instant.now(), null, null, "", "ping", 200, EndpointRequest.OUTCOME_OK, 10));
                assertThat(app.counter(EVENTS_DROPPED, "reason", "kafka_unavailable")).isEqualTo(dropped + 1);

                // several availability checks and relay polls later: still waiting, still quiet
                Thread.sleep(3_000);
                assertThat(app.outboxRows()).isEqualTo(1);
                assertThat(app.businessRows(event.eventId())).isEqualTo(1);
                assertThat(warnings(logs)).isEmpty();
            } finally {
                release(org.slf4j.Logger.ROOT_LOGGER_NAME, logs);
            }
        }
    }

    private static List<String> warnings(ListAppender<ILoggingEvent> logs) {
        synchronized (logs.list) {
            return logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .filter(e -> e.getLoggerName().startsWith("org.apache.kafka") || e.getLoggerName().startsWith("io.flowgate"))
                    .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
        }
    }

    private static ListAppender<ILoggingEvent> capture(String logger) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(logger)).addAppender(appender);
        return appender;
    }

    private static void release(String logger, ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(logger)).detachAppender(appender);
    }

    /** A port nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
