package io.flowgate.routing.system;

import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.routing.RoutingApiApplication;
import io.flowgate.routing.kafka.KafkaProperties;
import io.flowgate.routing.sessions.SessionsProperties;
import io.flowgate.testkit.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static io.flowgate.events.settings.SettingsTesting.assertRefusedWithOneLine;
import static io.flowgate.events.settings.SettingsTesting.withSystemEnvironment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * routing-api's settings as an operator gives them: environment variables set their settings, an unset or
 * blank one leaves the record's default, and a bad value stops the start with one line naming the setting
 * and the variable it came from, not a stack trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class SettingsStartupTest {

    @Test
    void environmentVariablesSetTheirSettingsAndBlankOnesLeaveTheDefault() {
        StandardEnvironment environment = withSystemEnvironment(Map.of("FLOWGATE_OUTBOX_BATCH_SIZE", "7",
                "FLOWGATE_OUTBOX_POLL_INTERVAL", "250ms", "FLOWGATE_FLOW_TOKEN_TTL", " "));
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource("--flowgate.kafka.relay-poll-interval=2s"));
        new RoutingEnvironment().postProcessEnvironment(environment, new SpringApplication(RoutingApiApplication.class));

        KafkaProperties kafka = Binder.get(environment).bindOrCreate("flowgate.kafka", KafkaProperties.class);
        SessionsProperties sessions = Binder.get(environment).bindOrCreate("flowgate.sessions", SessionsProperties.class);

        assertThat(kafka.relayBatchSize()).isEqualTo(7);
        assertThat(kafka.relayPollInterval()).as("the command line outranks the environment").isEqualTo(Duration.ofSeconds(2));
        assertThat(kafka.relayAckTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(sessions.tokenTtl()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void badValueStopsTheStartWithOneLineNamingTheSetting(CapturedOutput output, @TempDir Path keys) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("SERVER_PORT", "0");
        variables.put("FLOWGATE_DB_URL", EmbeddedPostgresServer.shared().newDatabase("settings"));
        variables.put("FLOWGATE_PRIVATE_KEY", TestKeys.writePkcs8(TestKeys.generate(), keys, "private.pem").toString());
        variables.put("FLOWGATE_OUTBOX_BATCH_SIZE", "0");

        assertThatThrownBy(() -> new SpringApplicationBuilder(RoutingApiApplication.class).environment(withSystemEnvironment(variables)).run())
                .isNotNull();

        assertRefusedWithOneLine(output.getOut(), "flowgate.kafka.relay-batch-size = \"0\" (System Environment Property \"FLOWGATE_OUTBOX_BATCH_SIZE\"): "
                        + "must be greater than or equal to 1");
    }
}
