package io.flowgate.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.flowgate.dashboards.StackFiles.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus side of the stack: the scrape configuration finds both APIs and Flink, and every alert
 * rule (and every Prometheus panel of the Grafana dashboards) reads metrics the services really expose,
 * under the names Micrometer gives them, with label values the services really use.
 */
class PrometheusRulesTest {

    private final JsonNode config = yaml(module().resolve("prometheus/prometheus.yml"));
    private final JsonNode alerts = yaml(module().resolve("prometheus/alerts.yml"));

    @Test
    void scrapesBothApisOnTheirActuatorAndFlinksReporter() {
        Map<String, JsonNode> jobs = new HashMap<>();
        config.get("scrape_configs").forEach(job -> jobs.put(job.get("job_name").asText(), job));

        assertThat(jobs).containsOnlyKeys("routing-api", "ingest-api", "flink");
        assertScrape(jobs.get("routing-api"), "/actuator/prometheus", 8080, "routing-api");
        assertScrape(jobs.get("ingest-api"), "/actuator/prometheus", 8081, "ingest-api");
        assertScrape(jobs.get("flink"), null, 9249, "jobmanager", "taskmanager");
        assertThat(config.get("rule_files")).extracting(JsonNode::asText).containsExactly("/etc/prometheus/alerts.yml");
    }

    private static void assertScrape(JsonNode job, String path, int port, String... services) {
        if (path != null) {
            assertThat(job.get("metrics_path").asText()).isEqualTo(path);
        }
        JsonNode discovery = job.get("dns_sd_configs").get(0);
        assertThat(discovery.get("port").asInt()).isEqualTo(port);
        assertThat(discovery.get("names")).extracting(JsonNode::asText).containsExactly(services);
    }

    @Test
    void everyRuleIsNamedOnceAndSaysHowBadAndWhatHappened() {
        Set<String> names = new HashSet<>();
        for (JsonNode group : alerts.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String name = rule.get("alert").asText();
                assertThat(names.add(name)).as("alert %s defined once", name).isTrue();
                assertThat(rule.get("expr").asText()).as(name).isNotBlank();
                assertThat(rule.at("/labels/severity").asText()).as(name).isIn("critical", "warning", "info");
                assertThat(rule.at("/annotations/summary").asText()).as(name).isNotBlank();
                assertThat(rule.at("/annotations/description").asText()).as(name).isNotBlank();
            }
        }
        assertThat(names).contains("FlowEndpointP90LatencyAboveMetaLimit", "FlowEndpointErrorRateAboveMetaLimit",
                "FlowgateInstanceDown", "FlowgateServiceUnavailable", "IngestKafkaAckSlow", "IngestRefusingWebhooks",
                "OutboxBacklogOld", "FlinkJobRestarting", "FlinkKafkaLagHigh", "FlinkAnalyticsJobNotRunning");
    }

    @Test
    void theEndpointAlertsUseMetasHealthThresholds() {
        assertThat(expression("FlowEndpointP90LatencyAboveMetaLimit").replaceAll("\\s+", " "))
                .startsWith("histogram_quantile(0.90, sum by (le) (rate(flowgate_endpoint_requests_seconds_bucket")
                .endsWith("> 1");
        assertThat(expression("FlowEndpointErrorRateAboveMetaLimit").replaceAll("\\s+", " "))
                .contains("flowgate_endpoint_requests_seconds_count{job=\"routing-api\",status!=\"200\"}")
                .endsWith("> 0.05");
        assertThat(rule("FlowEndpointP90LatencyAboveMetaLimit").at("/labels/severity").asText()).isEqualTo("critical");
        assertThat(rule("FlowEndpointErrorRateAboveMetaLimit").at("/labels/severity").asText()).isEqualTo("critical");
    }

    @Test
    void everyRuleAndPanelReadsMetricsTheServicesExpose() {
        Map<String, Set<String>> exposed = ServiceMetrics.byJob();
        Set<String> known = new HashSet<>(ServiceMetrics.PROMETHEUS);
        exposed.values().forEach(known::addAll);

        List<String> expressions = new ArrayList<>(alertExpressions());
        for (JsonNode target : targets(json(module().resolve("grafana/dashboards/flowgate-services.json")))) {
            expressions.add(target.get("expr").asText());
        }
        assertThat(expressions).hasSizeGreaterThan(40);
        for (String expression : expressions) {
            Set<String> names = metricNames(expression);
            assertThat(names).as("metrics read by %s", expression).isNotEmpty();
            assertThat(known).as("names exposed by the services, read by %s", expression).containsAll(names);
            for (LabelMatcher matcher : labelMatchers(expression)) {
                if (matcher.label().equals("job")) {
                    assertThat(exposed.keySet()).as(expression).containsAll(matcher.values());
                    if (!matcher.metric().equals("up")) {
                        String job = matcher.values().get(0);
                        assertThat(exposed.get(job)).as("%s is exposed by job %s", matcher.metric(), job)
                                .contains(matcher.metric());
                    }
                }
            }
        }
    }

    @Test
    void labelValuesInTheRulesAreOnesTheServicesUse() {
        List<String> expressions = new ArrayList<>(alertExpressions());
        for (JsonNode target : targets(json(module().resolve("grafana/dashboards/flowgate-services.json")))) {
            expressions.add(target.get("expr").asText());
        }
        int checked = 0;
        for (String expression : expressions) {
            for (LabelMatcher matcher : labelMatchers(expression)) {
                Set<String> allowed = switch (matcher.metric() + "/" + matcher.label()) {
                    case "flowgate_endpoint_requests_seconds_count/outcome",
                         "flowgate_endpoint_requests_seconds_bucket/outcome" -> ServiceMetrics.ENDPOINT_OUTCOMES;
                    case "flowgate_endpoint_requests_seconds_count/status",
                         "flowgate_endpoint_requests_seconds_bucket/status" -> ServiceMetrics.ENDPOINT_STATUSES;
                    case "flowgate_ingest_webhooks_total/outcome" -> ServiceMetrics.INGEST_OUTCOMES;
                    default -> null;
                };
                if (allowed != null) {
                    assertThat(allowed).as("%s in %s", matcher, expression).containsAll(matcher.values());
                    checked++;
                }
            }
        }
        assertThat(checked).as("outcome and status matchers checked").isGreaterThanOrEqualTo(4);
    }

    @Test
    void micrometerNamesCarryTheirUnitAndTypeSuffixes() {
        // the names the brief's services list as Micrometer meters, as Prometheus shows them
        assertThat(ServiceMetrics.routingApi()).contains("flowgate_endpoint_requests_seconds_bucket",
                "flowgate_endpoint_requests_seconds_count", "flowgate_outbox_oldest_age_seconds",
                "flowgate_outbox_published_total", "flowgate_outbox_publish_errors_total", "flowgate_outbox_backlog",
                "flowgate_outbox_relay_active", "flowgate_kafka_available", "flowgate_events_dropped_total");
        assertThat(ServiceMetrics.ingestApi()).contains("flowgate_ingest_webhooks_total", "flowgate_ingest_updates_total",
                "flowgate_ingest_kafka_ack_seconds_bucket", "flowgate_ingest_dead_letters_total", "flowgate_ingest_in_flight");
        assertThat(ServiceMetrics.routingApi()).doesNotContain("flowgate_outbox_oldest_age", "flowgate_endpoint_requests");
    }

    private JsonNode rule(String name) {
        for (JsonNode group : alerts.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                if (rule.get("alert").asText().equals(name)) {
                    return rule;
                }
            }
        }
        throw new AssertionError("no alert " + name);
    }

    private String expression(String name) {
        return rule(name).get("expr").asText().trim();
    }
}
