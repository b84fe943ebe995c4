package io.flowgate.ingest.system;

import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings that would make ingest-api unsafe or leak a secret are caught when it starts. */
class IngestPropertiesTest {

    @Test
    void settingsPrintWithoutSecrets() {
        IngestProperties properties = new IngestProperties("app-secret-value", "old-secret-value", "verify-token-value",
                DataSize.ofKilobytes(3584), Duration.ofSeconds(5), 64,
                new IngestProperties.Kafka("kafka:9092", true, 4, Duration.ofSeconds(30),
                        Map.of("sasl.jaas.config", "password=\"kafka-password-value\"")));

        assertThat(properties.toString()).doesNotContain("app-secret-value", "old-secret-value", "verify-token-value",
                "kafka-password-value").contains("sasl.jaas.config");
    }

    @Test
    void settingsOutsideTheirBoundsStopTheStart() {
        var kafka = new IngestProperties.Kafka("kafka:9092", true, 4, Duration.ofSeconds(30), null);
        assertThatThrownBy(() -> new IngestProperties("s", null, "t", DataSize.ofMegabytes(65), Duration.ofSeconds(5), 64, kafka))
                .hasMessageContaining("max-body-size");
        assertThatThrownBy(() -> new IngestProperties("s", null, "t", DataSize.ofKilobytes(3584), Duration.ZERO, 64, kafka))
                .hasMessageContaining("ack-timeout");
        assertThatThrownBy(() -> new IngestProperties("s", null, "t", DataSize.ofKilobytes(3584), Duration.ofMinutes(1), 64, kafka))
                .hasMessageContaining("ack-timeout");
        assertThatThrownBy(() -> new IngestProperties("s", null, "t", DataSize.ofKilobytes(3584), Duration.ofSeconds(5), 0, kafka))
                .hasMessageContaining("max-in-flight");
        assertThatThrownBy(() -> new IngestProperties.Kafka(" ", true, 4, Duration.ofSeconds(30), null))
                .hasMessageContaining("bootstrap-servers");
        assertThatThrownBy(() -> new IngestProperties.Kafka("kafka:9092", true, 0, Duration.ofSeconds(30), null))
                .hasMessageContaining("partitions");
    }
}
