package io.flowgate.routing.whatsapp;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.whatsapp.QueueProbe.Row;
import io.flowgate.testkit.GraphApiStandIn;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.LoggingSystem;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A routing-api without {@code FLOWGATE_ACCESS_TOKEN} / {@code FLOWGATE_PHONE_NUMBER_ID} (a developer's
 * machine, or a deployment that forgot them): it runs, says once that it does not send, and keeps every
 * message queued until an instance with credentials starts.
 */
class WithoutCredentialsTest {

    @Test
    void withoutCredentialsNothingIsSentAndMessagesWaitUntilAnInstanceHasThem() throws Exception {
        String user = "15550400001";
        try (GraphApiStandIn graph = GraphApiStandIn.start()) {
            graph.accept(user, 0);
            ListAppender<ILoggingEvent> logs = capture();
            long id;
            try (RoutingApiInstance withoutCredentials = RoutingApiInstance.builder()
                    .property("flowgate.whatsapp.graph-api-url", graph.uri().toString())
                    .property("flowgate.whatsapp.poll-interval", "20ms")
                    .start()) {
                QueueProbe queue = new QueueProbe(withoutCredentials);
                id = queue.enqueueText(user, "waits for credentials");

                // dozens of poll intervals: a sender would have sent it long since
                Thread.sleep(1_000);
                Row row = queue.row(id);
                assertThat(row.status()).isEqualTo("queued");
                assertThat(row.attempts()).isZero();
                assertThat(graph.recorded()).isEmpty();
                assertThat(queue.gauge("flowgate.whatsapp.queue")).isEqualTo(1);

                try (RoutingApiInstance withCredentials = credentialed(graph, withoutCredentials)) {
                    Row sent = new QueueProbe(withCredentials).awaitFinal(id);
                    assertThat(sent.status()).isEqualTo("sent");
                }
            } finally {
                release(logs);
            }
            assertThat(graph.recordedTo(user)).hasSize(1);
            List<String> warnings = List.copyOf(logs.list).stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("FLOWGATE_ACCESS_TOKEN")).toList();
            assertThat(warnings).singleElement().asString().contains("stay queued");
        }
    }

    private static RoutingApiInstance credentialed(GraphApiStandIn graph, RoutingApiInstance sibling) {
        RoutingApiInstance.Builder builder = RoutingApiInstance.builder().database(sibling.dbUrl()).keys(sibling.keys());
        graph.senderProperties().forEach(builder::property);
        return builder.property("flowgate.whatsapp.poll-interval", "20ms").start();
    }

    /**
     * Captures the sender's log from before the context starts: Spring Boot would reset logback while
     * starting and drop the appender, so it leaves logback to the test configuration meanwhile.
     */
    private static ListAppender<ILoggingEvent> capture() {
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(OutgoingSender.class)).addAppender(appender);
        return appender;
    }

    private static void release(ListAppender<ILoggingEvent> appender) {
        System.clearProperty(LoggingSystem.SYSTEM_PROPERTY);
        ((Logger) LoggerFactory.getLogger(OutgoingSender.class)).detachAppender(appender);
    }
}
