package io.flowgate.routing.system;

import io.flowgate.events.settings.EnvironmentVariables;
import io.flowgate.routing.RoutingApiApplication;

import java.util.Map;

import static java.util.Map.entry;

/**
 * routing-api's environment variables and the setting each one sets; the defaults are on the settings
 * records ({@code @DefaultValue}) and, for Spring's own settings, in {@code application.yml}. A new setting
 * with an environment variable gets its line here and its row in the README's configuration table
 * (ConfigurationTableTest checks both).
 */
public final class RoutingEnvironment extends EnvironmentVariables {

    public static final Map<String, String> SETTINGS = Map.ofEntries(
            entry("SERVER_PORT", "server.port"),
            entry("FLOWGATE_HTTP_THREADS", "server.tomcat.threads.max"),
            entry("FLOWGATE_DB_URL", "spring.datasource.url"),
            entry("FLOWGATE_DB_USER", "spring.datasource.username"),
            entry("FLOWGATE_DB_PASSWORD", "spring.datasource.password"),
            entry("FLOWGATE_DB_POOL_SIZE", "spring.datasource.hikari.maximum-pool-size"),
            entry("FLOWGATE_ADMIN_TOKEN", "flowgate.admin.token"),
            entry("FLOWGATE_PREVIOUS_ADMIN_TOKEN", "flowgate.admin.previous-token"),
            entry("FLOWGATE_ADMIN_MAX_BODY_BYTES", "flowgate.admin.max-body-bytes"),
            entry("FLOWGATE_PRIVATE_KEY", "flowgate.endpoint.private-key"),
            entry("FLOWGATE_PRIVATE_KEY_PASSPHRASE", "flowgate.endpoint.private-key-passphrase"),
            entry("FLOWGATE_PREVIOUS_PRIVATE_KEY", "flowgate.endpoint.previous-private-key"),
            entry("FLOWGATE_PREVIOUS_PRIVATE_KEY_PASSPHRASE", "flowgate.endpoint.previous-private-key-passphrase"),
            entry("FLOWGATE_APP_SECRET", "flowgate.endpoint.app-secret"),
            entry("FLOWGATE_PREVIOUS_APP_SECRET", "flowgate.endpoint.previous-app-secret"),
            entry("FLOWGATE_ENDPOINT_MAX_BODY_BYTES", "flowgate.endpoint.max-body-bytes"),
            entry("FLOWGATE_ENDPOINT_MAX_IN_FLIGHT", "flowgate.endpoint.max-in-flight"),
            entry("FLOWGATE_PLAINTEXT_427", "flowgate.endpoint.plaintext-invalid-token-body"),
            entry("FLOWGATE_INVALID_TOKEN_MESSAGE", "flowgate.endpoint.invalid-token-message"),
            entry("FLOWGATE_FLOW_TOKEN_TTL", "flowgate.sessions.token-ttl"),
            entry("FLOWGATE_FLOW_JSON_MAX_BYTES", "flowgate.admin.max-flow-json-bytes"),
            entry("KAFKA_BOOTSTRAP_SERVERS", "flowgate.kafka.bootstrap-servers"),
            entry("FLOWGATE_KAFKA_TOPIC_PARTITIONS", "flowgate.kafka.topic-partitions"),
            entry("FLOWGATE_OUTBOX_BATCH_SIZE", "flowgate.kafka.relay-batch-size"),
            entry("FLOWGATE_OUTBOX_POLL_INTERVAL", "flowgate.kafka.relay-poll-interval"),
            entry("FLOWGATE_OUTBOX_ACK_TIMEOUT", "flowgate.kafka.relay-ack-timeout"),
            entry("FLOWGATE_EVENTS_BUFFER_BYTES", "flowgate.kafka.publisher-buffer-bytes"),
            entry("FLOWGATE_HEARTBEAT_INTERVAL", "flowgate.kafka.heartbeat-interval"),
            entry("FLOWGATE_ANALYTICS_FIELDS", "flowgate.events.analytics-fields"),
            entry("FLOWGATE_GRAPH_API_URL", "flowgate.whatsapp.graph-api-url"),
            entry("FLOWGATE_GRAPH_API_VERSION", "flowgate.whatsapp.api-version"),
            entry("FLOWGATE_ACCESS_TOKEN", "flowgate.whatsapp.access-token"),
            entry("FLOWGATE_PHONE_NUMBER_ID", "flowgate.whatsapp.phone-number-id"),
            entry("FLOWGATE_WHATSAPP_PER_USER_INTERVAL", "flowgate.whatsapp.per-user-interval"),
            entry("FLOWGATE_WHATSAPP_MAX_PER_SECOND", "flowgate.whatsapp.max-per-second"),
            entry("FLOWGATE_WHATSAPP_MAX_ATTEMPTS", "flowgate.whatsapp.max-attempts"),
            entry("FLOWGATE_WHATSAPP_REQUEST_TIMEOUT", "flowgate.whatsapp.request-timeout"),
            entry("FLOWGATE_WHATSAPP_RETRY_BACKOFF", "flowgate.whatsapp.retry-backoff"),
            entry("FLOWGATE_WHATSAPP_MAX_BACKOFF", "flowgate.whatsapp.max-backoff"),
            entry("FLOWGATE_WHATSAPP_PAIR_LIMIT_BACKOFF", "flowgate.whatsapp.pair-limit-backoff"),
            entry("FLOWGATE_WHATSAPP_POLL_INTERVAL", "flowgate.whatsapp.poll-interval"),
            entry("FLOWGATE_WHATSAPP_MAX_IN_FLIGHT", "flowgate.whatsapp.max-in-flight"),
            entry("FLOWGATE_CHAT_DEFAULT_MACHINE", "flowgate.chat.default-machine"),
            entry("FLOWGATE_CHAT_COLD_AFTER", "flowgate.chat.cold-after"),
            entry("FLOWGATE_CHAT_HOUSEKEEPING_INTERVAL", "flowgate.chat.housekeeping-interval"),
            entry("FLOWGATE_CHAT_DEDUP_RETENTION", "flowgate.chat.dedup-retention"),
            entry("FLOWGATE_CHAT_REENGAGEMENT_TEMPLATE", "flowgate.chat.reengagement-template"),
            entry("FLOWGATE_CHAT_REENGAGEMENT_LANGUAGE", "flowgate.chat.reengagement-language"),
            entry("FLOWGATE_CHAT_CONSUMER_GROUP", "flowgate.chat.consumer-group"),
            entry("FLOWGATE_WABA_ID", "flowgate.meta.waba-id"),
            entry("FLOWGATE_META_METRICS_INTERVAL", "flowgate.meta.metrics-interval"),
            entry("FLOWGATE_META_METRICS_GRANULARITY", "flowgate.meta.metrics-granularity"),
            entry("FLOWGATE_META_METRICS_LOOKBACK", "flowgate.meta.metrics-lookback"),
            entry("FLOWGATE_META_CALL_DEADLINE", "flowgate.meta.call-deadline"),
            entry("FLOWGATE_WEBHOOK_SECRET_KEY", "flowgate.webhooks.secret-key"),
            entry("FLOWGATE_WEBHOOK_CONSUMER_GROUP", "flowgate.webhooks.consumer-group"),
            entry("FLOWGATE_WEBHOOK_REQUEST_TIMEOUT", "flowgate.webhooks.request-timeout"),
            entry("FLOWGATE_WEBHOOK_MIN_BACKOFF", "flowgate.webhooks.min-backoff"),
            entry("FLOWGATE_WEBHOOK_MAX_BACKOFF", "flowgate.webhooks.max-backoff"),
            entry("FLOWGATE_WEBHOOK_RETRY_FOR", "flowgate.webhooks.retry-for"),
            entry("FLOWGATE_WEBHOOK_PAUSE_AFTER_FAILURES", "flowgate.webhooks.pause-after-failures"),
            entry("FLOWGATE_WEBHOOK_PROBE_INTERVAL", "flowgate.webhooks.probe-interval"),
            entry("FLOWGATE_WEBHOOK_POLL_INTERVAL", "flowgate.webhooks.poll-interval"),
            entry("FLOWGATE_WEBHOOK_MAX_IN_FLIGHT", "flowgate.webhooks.max-in-flight"));

    public RoutingEnvironment() {
        super(RoutingApiApplication.class, SETTINGS);
    }
}
