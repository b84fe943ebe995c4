package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.flowendpoint.crypto.KeyLoadException;
import io.flowgate.testkit.TestKeys;

import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The endpoint started with a private key in each PEM format users have (written by the openssl CLI,
 * as users make them), answering real requests; key rotation; and start-up refusing a bad key with
 * one clear line.
 */
class KeyFormatsOverHttpTest {

    private static final String PASSPHRASE = "correct horse battery";
    private static String database;

    @TempDir
    static Path dir;

    @BeforeAll
    static void database() {
        database = EmbeddedPostgresServer.shared().newDatabase("keys");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pkcs8", "pkcs8-aes", "pkcs8-des3", "pkcs1", "pkcs1-des3"})
    void endpointAnswersWithAKeyInEveryPemFormat(String format) throws Exception {
        Path key = dir.resolve(format + ".pem");
        Path base = dir.resolve(format + "-base.pem");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", base.toString());
        switch (format) {
            case "pkcs8" -> Files.copy(base, key);
            case "pkcs8-aes" -> openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", base.toString(), "-out", key.toString(),
                    "-passout", "pass:" + PASSPHRASE);
            case "pkcs8-des3" -> openssl("pkcs8", "-topk8", "-v2", "des3", "-in", base.toString(), "-out", key.toString(),
                    "-passout", "pass:" + PASSPHRASE);
            case "pkcs1" -> openssl("rsa", "-traditional", "-in", base.toString(), "-out", key.toString());
            case "pkcs1-des3" -> openssl("rsa", "-traditional", "-des3", "-in", base.toString(), "-out", key.toString(),
                    "-passout", "pass:" + PASSPHRASE);
            default -> throw new IllegalArgumentException(format);
        }
        String head = Files.readAllLines(key).get(0);
        assertThat(head).isEqualTo(format.startsWith("pkcs1") ? "-----BEGIN RSA PRIVATE KEY-----"
                : format.equals("pkcs8") ? "-----BEGIN PRIVATE KEY-----" : "-----BEGIN ENCRYPTED PRIVATE KEY-----");
        PublicKey publicKey = publicKeyOf(base);

        var builder = RoutingApiInstance.builder().database(database).property("flowgate.endpoint.private-key", key.toString());
        if (format.contains("-")) {
            builder.property("flowgate.endpoint.private-key-passphrase", PASSPHRASE);
        }
        try (RoutingApiInstance app = builder.start()) {
            var client = new WhatsAppFlowClient(app.uri("/flows/endpoint"), publicKey, RoutingApiInstance.APP_SECRET);
            assertThat(client.send(payload("ping", null, null)).json().at("/data/status").asText()).isEqualTo("active");
            app.uploadFlow("keys-" + format, "linear.json");
            String token = app.mint("15550001313", "keys-" + format, null).path("flow_token").asText();
            assertThat(client.send(payload("INIT", "", token)).screen()).isEqualTo("WELCOME");
        }
    }

    @Test
    void duringARotationRequestsForEitherKeyAreAnswered() {
        var current = TestKeys.generate();
        var previous = TestKeys.generate();
        Path previousPem = TestKeys.writePkcs8(previous, dir, "previous.pem");
        try (RoutingApiInstance app = RoutingApiInstance.builder().database(database).keys(current)
                .property("flowgate.endpoint.previous-private-key", previousPem.toString()).start()) {
            var oldClient = new WhatsAppFlowClient(app.uri("/flows/endpoint"), previous.getPublic(), RoutingApiInstance.APP_SECRET);
            assertThat(app.client().send(payload("ping", null, null)).status()).isEqualTo(200);
            assertThat(oldClient.send(payload("ping", null, null)).json().at("/data/status").asText()).isEqualTo("active");
            var stranger = new WhatsAppFlowClient(app.uri("/flows/endpoint"), TestKeys.generate().getPublic(), RoutingApiInstance.APP_SECRET);
            assertThat(stranger.send(payload("ping", null, null)).status()).isEqualTo(421);
        }
    }

    @Test
    void wrongPassphraseStopsStartUpWithOneLineNamingTheFile() throws Exception {
        Path base = dir.resolve("wrong-base.pem");
        Path key = dir.resolve("wrong.pem");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", base.toString());
        openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", base.toString(), "-out", key.toString(), "-passout", "pass:" + PASSPHRASE);
        assertThatThrownBy(() -> RoutingApiInstance.builder().database(database)
                .property("flowgate.endpoint.private-key", key.toString())
                .property("flowgate.endpoint.private-key-passphrase", "not the passphrase").start())
                .satisfies(e -> {
                    KeyLoadException cause = rootKeyLoadException(e);
                    assertThat(cause.getMessage()).contains(key.toString()).doesNotContain("\n")
                            .doesNotContain("not the passphrase").doesNotContain(PASSPHRASE);
                });
        assertThatThrownBy(() -> RoutingApiInstance.builder().database(database)
                .property("flowgate.endpoint.private-key", dir.resolve("missing.pem").toString()).start())
                .satisfies(e -> assertThat(rootKeyLoadException(e).getMessage()).contains("missing.pem"));
        assertThatThrownBy(() -> RoutingApiInstance.builder().database(database)
                .property("flowgate.endpoint.private-key", "").start())
                .satisfies(e -> assertThat(rootKeyLoadException(e).getMessage()).contains("FLOWGATE_PRIVATE_KEY"));
    }

    @Test
    void plaintext427BodyCanBeSwitchedOn() {
        try (RoutingApiInstance app = RoutingApiInstance.builder().database(database)
                .property("flowgate.endpoint.plaintext-invalid-token-body", true).start()) {
            var answer = app.client().send(payload("INIT", "", "unknown-token"));
            assertThat(answer.status()).isEqualTo(427);
            assertThat(answer.rawBody()).contains("\"error_msg\"");
        }
    }

    private static KeyLoadException rootKeyLoadException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KeyLoadException k) {
                return k;
            }
        }
        throw new AssertionError("no KeyLoadException in " + e);
    }

    private static PublicKey publicKeyOf(Path privatePem) throws Exception {
        Path pub = dir.resolve(privatePem.getFileName() + ".pub");
        openssl("pkey", "-in", privatePem.toString(), "-pubout", "-out", pub.toString());
        String pem = Files.readString(pub).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
