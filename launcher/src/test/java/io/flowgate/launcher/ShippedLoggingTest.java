package io.flowgate.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded run's logging configuration keeps routing-api's Kafka clients quiet during an outage, as routing-api's does. */
class ShippedLoggingTest {

    @Test
    void routingApisKafkaClientWarningsAreDroppedOthersPass() throws Exception {
        LoggerContext shipped = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(shipped);
        configurator.doConfigure(ShippedLoggingTest.class.getResource("/logback.xml"));
        assertThat(shipped.getTurboFilterList()).hasSize(1);
        TurboFilter filter = shipped.getTurboFilterList().get(0);
        Logger networkClient = shipped.getLogger("org.apache.kafka.clients.NetworkClient");
        String attempt = " Connection to node 1 (localhost/127.0.0.1:9092) could not be established. Node may not be available.";

        assertThat(filter.decide(null, networkClient, Level.WARN, "[Producer clientId=flowgate-outbox-relay]" + attempt, null, null))
                .isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(null, networkClient, Level.WARN, "[Producer clientId=flowgate-ingest]" + attempt, null, null))
                .isEqualTo(FilterReply.NEUTRAL);
    }
}
