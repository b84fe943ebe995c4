package io.flowgate.ingest.system;

import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings that would make ingest-api unsafe or leak a secret are caught when it starts (SettingsStartupTest: how). */
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
    void settingsOutsideTheirBoundsAreRefused() {
        var kafka = new IngestProperties.Kafka("kafka:9092", true, 4, Duration.ofSeconds(30), null);
        assertThatThrownBy(() -> new IngestProperties("s", null, "t", DataSize.ofMegabytes(65), Duration.ofSeconds(5), 64, kafka))
                .hasMessageContaining("max-body-size");
        assertThat(violations(new IngestProperties("s", null, "t", DataSize.ofKilobytes(3584), Duration.ZERO, 64, kafka)))
                .containsExactly("ackTimeout");
        assertThat(violations(new IngestProperties("s", null, "t", DataSize.ofKilobytes(3584), Duration.ofMinutes(1), 64, kafka)))
                .containsExactly("ackTimeout");
        assertThat(violations(new IngestProperties("s", null, "t", DataSize.ofKilobytes(3584), Duration.ofSeconds(5), 0, kafka)))
                .containsExactly("maxInFlight");
        assertThat(violations(new IngestProperties("s", null, "t", DataSize.ofKilobytes(3584), Duration.ofSeconds(5), 64,
                new IngestProperties.Kafka(" ", true, 0, Duration.ofSeconds(30), null))))
                .containsExactlyInAnyOrder("kafka.bootstrapServers", "kafka.partitions");
    }

    private static List<String> violations(IngestProperties properties) {
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            return factory.getValidator().validate(properties).stream().map(v -> v.getPropertyPath().toString()).toList();
        }
    }
}
