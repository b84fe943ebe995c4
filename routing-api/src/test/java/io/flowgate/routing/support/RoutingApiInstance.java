package io.flowgate.routing.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.routing.RoutingApiApplication;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
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
 * A real routing-api on a random port against a real PostgreSQL database, started the way production
 * starts it (environment-style properties, a PEM key file). Most test classes share one instance
 * ({@link #shared()}) and keep apart by using their own Flow ids; a test that needs special settings
 * or several instances starts its own.
 */
public final class RoutingApiInstance implements AutoCloseable {

    public static final String APP_SECRET = "test-app-secret";
    public static final String ADMIN_TOKEN = "test-admin-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RoutingApiInstance shared;

    private final ConfigurableApplicationContext context;
    private final String dbUrl;
    private final KeyPair keys;
    private final HttpClient http = HttpClient.newHttpClient();

    private RoutingApiInstance(ConfigurableApplicationContext context, String dbUrl, KeyPair keys) {
        this.context = context;
        this.dbUrl = dbUrl;
        this.keys = keys;
    }

    public static synchronized RoutingApiInstance shared() {
        if (shared == null) {
            shared = builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts another instance with the same database and key (a second replica, or a restart). */
    public RoutingApiInstance sibling() {
        return builder().database(dbUrl).keys(keys).start();
    }

    public static final class Builder {
        private String dbUrl;
        private KeyPair keys;
        private final Map<String, Object> properties = new LinkedHashMap<>();

        public Builder database(String url) {
            this.dbUrl = url;
            return this;
        }

        public Builder keys(KeyPair keys) {
            this.keys = keys;
            return this;
        }

        public Builder property(String key, Object value) {
            properties.put(key, value);
            return this;
        }

        public RoutingApiInstance start() {
            String url = dbUrl != null ? dbUrl : EmbeddedPostgresServer.shared().newDatabase("routing");
            KeyPair pair = keys != null ? keys : TestKeys.generate();
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("server.port", 0);
            props.put("spring.datasource.url", url);
            props.put("spring.datasource.username", "postgres");
            props.put("spring.datasource.password", "");
            props.put("flowgate.admin.token", ADMIN_TOKEN);
            props.put("flowgate.endpoint.app-secret", APP_SECRET);
            if (!properties.containsKey("flowgate.endpoint.private-key")) {
                try {
                    Path dir = Files.createTempDirectory("flowgate-keys-");
                    props.put("flowgate.endpoint.private-key", TestKeys.writePkcs8(pair, dir, "private.pem").toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            props.putAll(properties);
            // command-line arguments outrank application.yml, as environment variables do in production
            String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
            ConfigurableApplicationContext context = new SpringApplicationBuilder(RoutingApiApplication.class).run(args);
            return new RoutingApiInstance(context, url, pair);
        }
    }

    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public URI uri(String path) {
        return URI.create("http://localhost:" + port() + path);
    }

    public String dbUrl() {
        return dbUrl;
    }

    public KeyPair keys() {
        return keys;
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public WhatsAppFlowClient client() {
        return new WhatsAppFlowClient(uri("/flows/endpoint"), keys.getPublic(), APP_SECRET);
    }

    /** Calls the admin API with the bearer token; returns status and parsed JSON body. */
    public AdminAnswer admin(String method, String path, String jsonBody) {
        return adminAs(ADMIN_TOKEN, method, path, jsonBody);
    }

    public AdminAnswer adminAs(String token, String method, String path, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            try {
                body = response.body().isEmpty() ? null : JSON.readTree(response.body());
            } catch (IOException notJson) {
                // left null: the test looks at the raw body
            }
            return new AdminAnswer(response.statusCode(), body, response.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }

    public record AdminAnswer(int status, JsonNode json, String raw) {
    }

    /** Uploads a Flow JSON from test resources under {@code flows/}; fails the test if refused. */
    public void uploadFlow(String flowId, String resource) {
        try (var in = RoutingApiInstance.class.getResourceAsStream("/flows/" + resource)) {
            String json = new String(in.readAllBytes());
            AdminAnswer answer = admin("PUT", "/api/flows/" + flowId, json);
            if (answer.status() != 200 && answer.status() != 201) {
                throw new IllegalStateException("flow upload refused: " + answer.raw());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Mints a flow token for a user; returns {flow_token, session_id, ...}. */
    public JsonNode mint(String waId, String flowId, String extraJson) {
        String body = "{\"wa_id\":\"" + waId + "\",\"flow_id\":\"" + flowId + "\"" + (extraJson == null ? "" : "," + extraJson) + "}";
        AdminAnswer answer = admin("POST", "/api/flow-sessions", body);
        if (answer.status() != 201) {
            throw new IllegalStateException("mint refused: " + answer.raw());
        }
        return answer.json();
    }

    /** Waits until this instance knows Kafka is up: endpoint-request events are dropped, by design, until then. */
    public void awaitKafkaAvailable() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> http.send(HttpRequest.newBuilder(uri("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body().lines().anyMatch(l -> l.startsWith("flowgate_kafka_available") && l.endsWith(" 1.0")));
    }

    public JsonNode session(String sessionId) {
        return admin("GET", "/api/flow-sessions/" + sessionId, null).json();
    }

    @Override
    public void close() {
        context.close();
    }
}
