package io.flowgate.routing.kafka;

import io.flowgate.routing.support.Settings;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The watch of Kafka's availability, without a reachable Kafka: one warning, not one per check. */
class KafkaAvailabilityTest {

    @Test
    void unreachableKafkaIsReportedOnceThenQuietly() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(KafkaAvailability.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens on it once closed
        }
        KafkaAvailability kafka = new KafkaAvailability(
                Settings.bind(KafkaProperties.class, "flowgate.kafka", Map.of("flowgate.kafka.bootstrap-servers", "localhost:" + closedPort)), new SimpleMeterRegistry());
        try {
            kafka.start();
            // the checks run every second: let a few of them fail
            Thread.sleep(3_500);
            assertThat(kafka.isAvailable()).isFalse();
            assertThat(kafka.awaitAvailable(Duration.ofMillis(100))).isFalse();
        } finally {
            kafka.stop();
            logger.detachAppender(logs);
        }
        List<String> warnings;
        synchronized (logs.list) {
            warnings = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
        assertThat(warnings).singleElement().asString().contains("is not available");
    }
}
