package io.flowgate.ingest.system;

import io.flowgate.events.settings.EnvironmentVariables;
import io.flowgate.ingest.IngestApiApplication;

import java.util.Map;

import static java.util.Map.entry;

/**
 * ingest-api's environment variables and the setting each one sets; the defaults are on
 * {@link IngestProperties} ({@code @DefaultValue}) and, for Spring's own settings, in {@code ingest-api.yml}.
 * A new setting with an environment variable gets its line here and its row in the README's configuration
 * table (ConfigurationTableTest checks both).
 */
public final class IngestEnvironment extends EnvironmentVariables {

    public static final Map<String, String> SETTINGS = Map.ofEntries(
            entry("SERVER_PORT", "server.port"),
            entry("FLOWGATE_INGEST_HTTP_THREADS", "server.tomcat.threads.max"),
            entry("FLOWGATE_APP_SECRET", "flowgate.ingest.app-secret"),
            entry("FLOWGATE_PREVIOUS_APP_SECRET", "flowgate.ingest.previous-app-secret"),
            entry("FLOWGATE_VERIFY_TOKEN", "flowgate.ingest.verify-token"),
            entry("FLOWGATE_INGEST_MAX_BODY_SIZE", "flowgate.ingest.max-body-size"),
            entry("FLOWGATE_INGEST_ACK_TIMEOUT", "flowgate.ingest.ack-timeout"),
            entry("FLOWGATE_INGEST_MAX_IN_FLIGHT", "flowgate.ingest.max-in-flight"),
            entry("KAFKA_BOOTSTRAP_SERVERS", "flowgate.ingest.kafka.bootstrap-servers"),
            entry("FLOWGATE_INGEST_CREATE_TOPICS", "flowgate.ingest.kafka.create-topics"),
            entry("FLOWGATE_INGEST_TOPIC_PARTITIONS", "flowgate.ingest.kafka.partitions"),
            entry("FLOWGATE_INGEST_KAFKA_STARTUP_TIMEOUT", "flowgate.ingest.kafka.startup-timeout"));

    public IngestEnvironment() {
        super(IngestApiApplication.class, SETTINGS);
    }
}
