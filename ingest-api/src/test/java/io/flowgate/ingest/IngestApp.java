package io.flowgate.ingest;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * ingest-api started for real, on a free port, against a given Kafka: the way tests and the load
 * benchmark talk to it over HTTP. Settings are passed as properties, as an operator would pass them.
 */
final class IngestApp implements AutoCloseable {

    static final String APP_SECRET = "test-app-secret";
    static final String PREVIOUS_APP_SECRET = "test-previous-app-secret";
    static final String VERIFY_TOKEN = "test-verify-token";

    private final ConfigurableApplicationContext context;
    private final int port;

    private IngestApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** Starts with the test secrets; {@code overrides} may change any setting (an empty value unsets it). */
    static IngestApp start(String bootstrapServers, Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("server.port", 0);
        properties.put("flowgate.ingest.kafka.bootstrap-servers", bootstrapServers);
        properties.put("flowgate.ingest.app-secret", APP_SECRET);
        properties.put("flowgate.ingest.previous-app-secret", PREVIOUS_APP_SECRET);
        properties.put("flowgate.ingest.verify-token", VERIFY_TOKEN);
        properties.putAll(overrides);
        // as command-line arguments: they outrank application.yml, as an operator's settings do
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(IngestApiApplication.class).run(args);
        return new IngestApp(context);
    }

    static IngestApp start(String bootstrapServers) {
        return start(bootstrapServers, Map.of());
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://localhost:" + port + pathAndQuery);
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        context.close();
    }

    /** Closes what a test class started, in the order given, skipping what never started. */
    static void closeAll(AutoCloseable... started) throws Exception {
        for (AutoCloseable c : started) {
            if (c != null) {
                c.close();
            }
        }
    }
}
