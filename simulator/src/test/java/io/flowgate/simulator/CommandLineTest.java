package io.flowgate.simulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandLineTest {

    private static final Map<String, String> SECRETS = Map.of("FLOWGATE_APP_SECRET", "s3cret", "FLOWGATE_ADMIN_TOKEN", "adm1n",
            "FLOWGATE_PUBLIC_KEY", "/keys/public.pem");

    private static SimulatorConfig parse(Map<String, String> env, String... args) throws Exception {
        return CommandLine.parse(args, env).build();
    }

    @Test
    void loadOptionsAreRead() throws Exception {
        SimulatorConfig c = parse(SECRETS, "load", "--rate", "25", "--duration=2m", "--users", "500", "--think", "100ms-1s",
                "--seed", "7", "--chat-share", "0.5", "--routing-api", "http://flowgate:9090/", "--graph-port", "0");

        assertThat(c.mode()).isEqualTo(SimulatorConfig.Mode.LOAD);
        assertThat(c.rate()).isEqualTo(25);
        assertThat(c.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.users()).isEqualTo(500);
        assertThat(c.thinkTime().min()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.thinkTime().max()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.seed()).isEqualTo(7);
        assertThat(c.chatShare()).isEqualTo(0.5);
        assertThat(c.routingApi()).isEqualTo(URI.create("http://flowgate:9090"));
        assertThat(c.ingestApi()).isEqualTo(URI.create("http://localhost:8081"));
        assertThat(c.graphApiPort()).isZero();
    }

    @Test
    void secretsComeFromTheEnvironmentAndNeverShowInTheDescription() throws Exception {
        SimulatorConfig c = parse(SECRETS, "demo");

        assertThat(c.appSecret()).isEqualTo("s3cret");
        assertThat(c.adminToken()).isEqualTo("adm1n");
        assertThat(c.publicKey()).isEqualTo(Path.of("/keys/public.pem"));
        assertThat(c.duration()).isNull();
        assertThat(c.toString()).doesNotContain("s3cret", "adm1n").contains("demo", "http://localhost:8080");
    }

    @Test
    void withoutOptionsTheEmbeddedRunsKeysAndSecretsAreUsed(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("secrets.properties"), "app_secret=from-file\nadmin_token=token-from-file\n");

        SimulatorConfig c = parse(Map.of("FLOWGATE_HOME", home.toString()), "load");

        assertThat(c.appSecret()).isEqualTo("from-file");
        assertThat(c.adminToken()).isEqualTo("token-from-file");
        assertThat(c.publicKey()).isEqualTo(home.resolve("keys").resolve("public.pem"));
    }

    @Test
    void optionsOutrankTheEnvironment() throws Exception {
        SimulatorConfig c = parse(Map.of("FLOWGATE_APP_SECRET", "env", "FLOWGATE_ADMIN_TOKEN", "env",
                "FLOWGATE_INGEST_API_URL", "http://ingest:1"), "demo", "--app-secret", "cli", "--public-key", "k.pem");

        assertThat(c.appSecret()).isEqualTo("cli");
        assertThat(c.ingestApi()).isEqualTo(URI.create("http://ingest:1"));
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> parse(SECRETS, "stress")).hasMessageContaining("unknown mode stress");
        assertThatThrownBy(() -> parse(SECRETS, "load", "--rate")).hasMessageContaining("--rate needs a value");
        assertThatThrownBy(() -> parse(SECRETS, "load", "--rate", "fast")).hasMessageContaining("--rate: fast is not a number");
        assertThatThrownBy(() -> parse(SECRETS, "load", "--duration", "soon")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> parse(SECRETS, "load", "--think", "2s-1s")).hasMessageContaining("min <= max");
        assertThatThrownBy(() -> parse(SECRETS, "load", "--routing-api", "ftp://x")).hasMessageContaining("not an http(s) URL");
        assertThatThrownBy(() -> parse(SECRETS, "load", "--bogus", "1")).hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> parse(SECRETS, "load", "--chat-share", "2")).hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> parse(Map.of("FLOWGATE_HOME", "/nonexistent"), "load")).hasMessageContaining("app secret is required");
    }

    @Test
    void durationsReadAsPeopleWriteThem() throws Exception {
        assertThat(CommandLine.duration("500ms", "x")).isEqualTo(Duration.ofMillis(500));
        assertThat(CommandLine.duration("45", "x")).isEqualTo(Duration.ofSeconds(45));
        assertThat(CommandLine.duration("5m", "x")).isEqualTo(Duration.ofMinutes(5));
        assertThat(CommandLine.duration("1h", "x")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void helpListsModesAndOptionsAndExitsCleanly() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Simulator.run(new String[]{"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("demo", "load", "--rate", "--duration", "--users",
                "--public-key", "--app-secret", "--admin-token", "--graph-port", "--routing-api", "--ingest-api");
    }

    @Test
    void aBadCommandLineExitsWithStatus2AndSaysWhy() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Simulator.run(new String[]{"load", "--users", "0"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("simulator:");
    }
}
