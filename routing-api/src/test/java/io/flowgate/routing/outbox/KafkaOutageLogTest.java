package io.flowgate.routing.outbox;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import io.flowgate.routing.kafka.KafkaStatus;
import io.flowgate.routing.kafka.QuietKafkaClients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Kafka outage while transitions keep committing reads in the log as docs/events.md says: one warning
 * when it starts, one line when it ends, and not a line per reconnection attempt of a Kafka client.
 */
class KafkaOutageLogTest {

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.withTopics();

    /** The turbo filters of routing-api's shipped logging configuration (tests run with logback-test.xml instead). */
    static List<TurboFilter> shippedTurboFilters() throws Exception {
        LoggerContext shipped = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(shipped);
        configurator.doConfigure(KafkaOutageLogTest.class.getResource("/logback-spring.xml"));
        return List.copyOf(shipped.getTurboFilterList());
    }

    @Test
    void theShippedConfigurationQuietensRoutingApisKafkaClientsOnly() throws Exception {
        assertThat(shippedTurboFilters()).hasSize(1).first().isInstanceOf(QuietKafkaClients.class);
        TurboFilter filter = shippedTurboFilters().get(0);
        filter.start();
        Logger networkClient = (Logger) LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient");
        String attempt = " Connection to node 1 (localhost/127.0.0.1:9092) could not be established. Node may not be available.";
        for (String client : List.of("[Producer clientId=flowgate-outbox-relay]", "[Producer clientId=flowgate-routing-events]",
                "[Consumer clientId=flowgate-routing-chat-1, groupId=flowgate-routing-chat]", "[AdminClient clientId=flowgate-routing-admin]")) {
            assertThat(filter.decide(null, networkClient, Level.WARN, client + attempt, null, null)).as(client).isEqualTo(FilterReply.DENY);
            assertThat(filter.decide(null, networkClient, Level.ERROR, client + " failed authentication", null, null)).isEqualTo(FilterReply.NEUTRAL);
        }
        assertThat(filter.decide(null, networkClient, Level.WARN, "[Producer clientId=flowgate-ingest]" + attempt, null, null))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(null, (Logger) LoggerFactory.getLogger(OutboxRelay.class), Level.WARN,
                "[Producer clientId=flowgate-outbox-relay] not a Kafka logger", null, null)).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void anOutageLogsOneWarningAndOneRecoveryLine() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LoggerContext context = root.getLoggerContext();
        List<TurboFilter> shipped = shippedTurboFilters();
        // an acknowledgement timeout inside the outage, so a batch in flight when it began is given up during it
        try (OutboxApp app = OutboxApp.start(kafka.bootstrapServers(), null, Map.of("flowgate.kafka.relay-ack-timeout", "6s"))) {
            app.awaitKafkaAvailable();
            // after the start: Spring Boot's logging set-up resets the context (and would drop them)
            shipped.forEach(TurboFilter::start);
            shipped.forEach(context::addTurboFilter);
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger committed = new AtomicInteger();
            ExecutorService writer = Executors.newSingleThreadExecutor();
            Future<?> writes = writer.submit(() -> {
                for (int step = 0; writing.get(); step++) {
                    app.commitStep("log-outage", step);
                    committed.incrementAndGet();
                    Thread.sleep(5);
                }
                return null;
            });
            await().atMost(30, TimeUnit.SECONDS).until(() -> committed.get() >= 50);

            logs.start();
            root.addAppender(logs);
            try {
                kafka.broker().stop();
                await().atMost(30, TimeUnit.SECONDS).until(() -> !app.bean(KafkaStatus.class).isAvailable());
                // several seconds of outage with commits going on: Kafka's clients would retry about once a second
                int atOutage = committed.get();
                Thread.sleep(10_000);
                assertThat(committed.get()).isGreaterThan(atOutage);
                kafka.broker().start();
                await().atMost(30, TimeUnit.SECONDS).until(() -> app.bean(KafkaStatus.class).isAvailable());
                writing.set(false);
                writes.get(30, TimeUnit.SECONDS);
                await().atMost(60, TimeUnit.SECONDS).until(() -> app.outboxRows() == 0);
            } finally {
                root.detachAppender(logs);
                context.getTurboFilterList().removeAll(shipped);
                writer.shutdownNow();
                kafka.broker().start();
            }
        }

        List<ILoggingEvent> events = List.copyOf(logs.list);
        events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .forEach(e -> System.out.printf("captured %s %s %s%n", e.getLevel(), e.getLoggerName(), e.getFormattedMessage()));
        List<String> flowgateWarnings = lines(events, "io.flowgate", Level.WARN);
        assertThat(flowgateWarnings).hasSize(1);
        assertThat(flowgateWarnings.get(0)).contains("Kafka at " + kafka.bootstrapServers() + " is not available");
        assertThat(lines(events, "io.flowgate", Level.INFO))
                .filteredOn(l -> l.matches("Kafka at .* is reachable again after \\d+ s; the outbox relay catches up")).hasSize(1);
        // routing-api's clients only: the test's own reader of the topic is not quietened
        assertThat(lines(events, "org.apache.kafka.clients", Level.WARN)).filteredOn(l -> l.contains("clientId=flowgate-"))
                .as("routing-api's Kafka clients' own warnings about the outage").isEmpty();
    }

    private static List<String> lines(List<ILoggingEvent> events, String loggerPrefix, Level level) {
        return events.stream()
                .filter(e -> e.getLoggerName().startsWith(loggerPrefix) && e.getLevel() == level)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}
