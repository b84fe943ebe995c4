package io.flowgate.simulator.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.routing.RoutingApiApplication;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.testkit.TestKeys;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real routing-api on a random port with its own PostgreSQL database, started as production starts
 * it (properties as command-line arguments, a PEM private key file), with the device_repair example
 * installed through the admin API. One instance serves every test class of this JVM. Adapted from
 * routing-api's own test helper, which is not published.
 */
public final class RoutingApi {

    public static final String APP_SECRET = "simulator-test-app-secret";
    public static final String ADMIN_TOKEN = "simulator-test-admin-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RoutingApi shared;

    private final ConfigurableApplicationContext context;
    private final Path publicKey;
    private final HttpClient http = HttpClient.newHttpClient();

    private RoutingApi(ConfigurableApplicationContext context, Path publicKey) {
        this.context = context;
        this.publicKey = publicKey;
    }

    public static synchronized RoutingApi shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared.context::close));
        }
        return shared;
    }

    private static RoutingApi start() {
        try {
            KeyPair keys = TestKeys.generate();
            Path dir = Files.createTempDirectory("simulator-keys-");
            Path privateKey = TestKeys.write(dir, "private.pem", TestKeys.pkcs8Pem(keys));
            Path publicKey = TestKeys.write(dir, "public.pem", TestKeys.publicKeyPem(keys));
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("server.port", 0);
            props.put("spring.datasource.url", EmbeddedPostgresServer.shared().newDatabase("simulator"));
            props.put("spring.datasource.username", "postgres");
            props.put("spring.datasource.password", "");
            props.put("flowgate.admin.token", ADMIN_TOKEN);
            props.put("flowgate.endpoint.app-secret", APP_SECRET);
            props.put("flowgate.endpoint.private-key", privateKey.toString());
            String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
            RoutingApi api = new RoutingApi(new SpringApplicationBuilder(RoutingApiApplication.class).run(args), publicKey);
            new DeviceRepairExample(api.uri(), ADMIN_TOKEN).install();
            return api;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI uri() {
        return URI.create("http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort());
    }

    /** The business public key as a business uploads it to Meta: SPKI PEM. */
    public Path publicKey() {
        return publicKey;
    }

    /** {@code GET /api/flow-sessions/{id}}: what routing-api stored for a session. */
    public JsonNode session(String sessionId) {
        HttpRequest request = HttpRequest.newBuilder(uri().resolve("/api/flow-sessions/" + sessionId))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET session " + sessionId + " answered " + response.statusCode());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
