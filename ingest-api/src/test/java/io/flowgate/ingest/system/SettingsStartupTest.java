package io.flowgate.ingest.system;

import io.flowgate.ingest.IngestApiApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.Map;

import static io.flowgate.events.settings.SettingsTesting.assertRefusedWithOneLine;
import static io.flowgate.events.settings.SettingsTesting.withSystemEnvironment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ingest-api's settings as an operator gives them: environment variables set their settings, an unset or
 * blank one leaves the record's default, and a bad value stops the start with one line naming the setting
 * and the variable it came from, not a stack trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class SettingsStartupTest {

    @Test
    void environmentVariablesSetTheirSettingsAndBlankOnesLeaveTheDefault() {
        StandardEnvironment environment = withSystemEnvironment(Map.of("FLOWGATE_INGEST_MAX_IN_FLIGHT", "9",
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "FLOWGATE_INGEST_ACK_TIMEOUT", ""));
        new IngestEnvironment().postProcessEnvironment(environment, new SpringApplication(IngestApiApplication.class));

        IngestProperties properties = Binder.get(environment).bindOrCreate("flowgate.ingest", IngestProperties.class);

        assertThat(properties.maxInFlight()).isEqualTo(9);
        assertThat(properties.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(properties.ackTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(properties.maxBodySize()).isEqualTo(DataSize.ofKilobytes(3584));
    }

    @Test
    void badValueStopsTheStartWithOneLineNamingTheSetting(CapturedOutput output) {
        Map<String, Object> variables = Map.of("SERVER_PORT", "0", "FLOWGATE_INGEST_MAX_IN_FLIGHT", "0");

        assertThatThrownBy(() -> IngestApiApplication.application().environment(withSystemEnvironment(variables)).run()).isNotNull();

        assertRefusedWithOneLine(output.getOut(), "flowgate.ingest.max-in-flight = \"0\" (System Environment Property \"FLOWGATE_INGEST_MAX_IN_FLIGHT\"): "
                        + "must be greater than or equal to 1");
    }
}
