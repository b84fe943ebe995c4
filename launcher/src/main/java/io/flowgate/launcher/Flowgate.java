package io.flowgate.launcher;

import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.routing.RoutingApiApplication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded run: everything Flowgate needs in one JVM on this machine. PostgreSQL (embedded unless
 * {@code FLOWGATE_DB_URL} names a server) and routing-api on port 8080 with a generated key pair, app
 * secret and admin token kept in {@code .flowgate/}. Prints what runs where, runs until Ctrl-C, then
 * stops everything in reverse order.
 */
public final class Flowgate {

    private static final Logger log = LoggerFactory.getLogger(Flowgate.class);

    private final Deque<AutoCloseable> running = new ArrayDeque<>();

    private Flowgate() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(env("FLOWGATE_HOME", ".flowgate")).toAbsolutePath();
        Flowgate flowgate = new Flowgate();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            flowgate.stop();
            stopped.countDown();
        }, "flowgate-stop"));
        try {
            flowgate.start(home);
        } catch (Exception e) {
            log.error("Flowgate did not start: {}", e.getMessage(), e);
            System.exit(1);
        }
        stopped.await();
    }

    private void start(Path home) throws Exception {
        long started = System.nanoTime();
        LocalSecrets secrets = LocalSecrets.loadOrCreate(home);

        String dbUrl = System.getenv("FLOWGATE_DB_URL");
        String dbUser = env("FLOWGATE_DB_USER", "postgres");
        String dbPassword = env("FLOWGATE_DB_PASSWORD", "");
        String dbWhere;
        if (dbUrl == null || dbUrl.isBlank()) {
            EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(0, home.resolve("postgres"));
            running.push(postgres);
            dbUrl = postgres.jdbcUrl("flowgate");
            dbUser = postgres.user();
            dbPassword = postgres.password();
            dbWhere = "embedded PostgreSQL, data in " + home.resolve("postgres");
        } else {
            dbWhere = "FLOWGATE_DB_URL";
        }

        Map<String, Object> routing = new LinkedHashMap<>();
        routing.put("server.port", env("SERVER_PORT", "8080"));
        routing.put("spring.datasource.url", dbUrl);
        routing.put("spring.datasource.username", dbUser);
        routing.put("spring.datasource.password", dbPassword);
        routing.put("flowgate.endpoint.private-key", env("FLOWGATE_PRIVATE_KEY", secrets.privateKey.toString()));
        routing.put("flowgate.endpoint.app-secret", env("FLOWGATE_APP_SECRET", secrets.appSecret));
        routing.put("flowgate.admin.token", env("FLOWGATE_ADMIN_TOKEN", secrets.adminToken));
        ConfigurableApplicationContext routingApi = new SpringApplicationBuilder(RoutingApiApplication.class)
                .run(arguments(routing));
        running.push(routingApi::close);

        String port = String.valueOf(routing.get("server.port"));
        System.out.printf("""

                ================================ Flowgate is running ================================
                  Flow endpoint     POST http://localhost:%1$s/flows/endpoint
                  Admin API         http://localhost:%1$s/api/...   Authorization: Bearer %2$s
                  Health, metrics   http://localhost:%1$s/actuator/health   /actuator/prometheus
                  Database          %3$s (%4$s)
                  App secret        %5$s   (X-Hub-Signature-256)
                  Public key        %6$s   (upload it to Meta, see README)
                  Started in %7$.1f s. Ctrl-C stops everything.
                ======================================================================================
                %n""", port, routing.get("flowgate.admin.token"), dbUrl, dbWhere,
                routing.get("flowgate.endpoint.app-secret"), secrets.publicKey, (System.nanoTime() - started) / 1e9);
    }

    private synchronized void stop() {
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                log.warn("stopping: {}", e.toString());
            }
        }
    }

    /** Command-line arguments outrank application.yml, as the environment variables they stand for do. */
    private static String[] arguments(Map<String, Object> properties) {
        return properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
