package io.flowgate.dashboards;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The meters routing-api and ingest-api register, declared here as they declare them (name, type, tags,
 * base unit, histogram), and turned into Prometheus names by Micrometer's own Prometheus registry, so
 * that the alert rules and panels are checked against the names a real scrape shows rather than against
 * hand-made guesses about suffixes. Where each meter is registered:
 * routing-api {@code FlowEndpointController} (endpoint timer, with
 * {@code management.metrics.distribution.percentiles-histogram.flowgate.endpoint.requests: true}),
 * {@code RuleEngine}, {@code OutboxRelay}, {@code KafkaAvailability}, {@code KafkaEventPublisher};
 * ingest-api {@code WebhookMetrics}, {@code InboundPublisher}, {@code InFlightLimit}.
 * Flink's names are those of its PrometheusReporter for the system and connector metrics the rules use.
 */
final class ServiceMetrics {

    /** Outcome tag values of {@code flowgate.endpoint.requests}. */
    static final Set<String> ENDPOINT_OUTCOMES = Set.of("ok", "error_notification", "bad_signature", "undecryptable",
            "bad_request", "too_large", "invalid_token", "overloaded", "internal_error");
    /** Status tag values of {@code flowgate.endpoint.requests}: 200 is success. */
    static final Set<String> ENDPOINT_STATUSES = Set.of("200", "400", "413", "421", "427", "432", "500", "503");
    /** Outcome tag values of {@code flowgate.ingest.webhooks} (ingest-api's {@code Outcome}). */
    static final Set<String> INGEST_OUTCOMES = Set.of("accepted", "bad_signature", "no_app_secret", "too_large",
            "malformed", "unreadable", "overloaded", "not_acknowledged");

    /** Flink's PrometheusReporter names of the job, checkpoint and Kafka-source metrics the rules watch. */
    static final Set<String> FLINK = Set.of(
            "flink_jobmanager_numRunningJobs",
            "flink_jobmanager_job_numRestarts",
            "flink_jobmanager_job_numberOfFailedCheckpoints",
            "flink_jobmanager_job_lastCheckpointDuration",
            "flink_taskmanager_job_task_operator_pendingRecords",
            "flink_taskmanager_job_task_operator_currentEmitEventTimeLag");

    /** Series every Prometheus has for each target. */
    static final Set<String> PROMETHEUS = Set.of("up");

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", Pattern.MULTILINE);

    private ServiceMetrics() {
    }

    /** Every series name routing-api exposes on /actuator/prometheus for the meters above. */
    static Set<String> routingApi() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Timer.builder("flowgate.endpoint.requests").tags("action", "data_exchange", "outcome", "ok", "status", "200")
                .publishPercentileHistogram().register(registry).record(Duration.ofMillis(12));
        Counter.builder("flowgate.rules.errors").register(registry);
        Counter.builder("flowgate.outbox.published").register(registry);
        Counter.builder("flowgate.outbox.publish.errors").register(registry);
        Gauge.builder("flowgate.outbox.backlog", () -> 0).register(registry);
        Gauge.builder("flowgate.outbox.oldest.age", () -> 0).baseUnit("seconds").register(registry);
        Gauge.builder("flowgate.outbox.parked", () -> 0).register(registry);
        Gauge.builder("flowgate.outbox.relay.active", () -> 1).register(registry);
        Gauge.builder("flowgate.kafka.available", () -> 1).register(registry);
        Counter.builder("flowgate.events.published").register(registry);
        Counter.builder("flowgate.events.dropped").tag("reason", "buffer_full").register(registry);
        return names(registry.scrape());
    }

    /** Every series name ingest-api exposes on /actuator/prometheus for the meters above. */
    static Set<String> ingestApi() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("flowgate.ingest.webhooks").tag("outcome", "accepted").register(registry);
        Counter.builder("flowgate.ingest.dead.letters").tag("reason", "not_json").register(registry);
        Counter.builder("flowgate.ingest.changes.ignored").register(registry);
        Timer.builder("flowgate.ingest.kafka.ack").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry).record(Duration.ofMillis(3));
        Counter.builder("flowgate.ingest.updates").tag("kind", "message").register(registry);
        Gauge.builder("flowgate.ingest.in.flight", () -> 0).register(registry);
        Gauge.builder("flowgate.ingest.in.flight.max", () -> 64).register(registry);
        return names(registry.scrape());
    }

    /** Scrape job name (prometheus.yml) to the series names its targets expose. */
    static Map<String, Set<String>> byJob() {
        return Map.of("routing-api", routingApi(), "ingest-api", ingestApi(), "flink", FLINK);
    }

    private static Set<String> names(String exposition) {
        Set<String> names = new TreeSet<>();
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
