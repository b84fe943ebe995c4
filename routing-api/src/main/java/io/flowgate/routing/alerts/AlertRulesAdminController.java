package io.flowgate.routing.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.system.ApiException;
import io.flowgate.routing.system.RawJson;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Admin API for ops' latency alert thresholds, the {@code latency_alert_rules} table the analytics job
 * re-reads every few seconds (so a change applies without restarting anything):
 * {@code GET /api/alert-rules}, {@code POST /api/alert-rules}, {@code PUT /api/alert-rules/{id}},
 * {@code DELETE /api/alert-rules/{id}}. A rule watches one screen (or {@code *}) for a latency percentile
 * above {@code threshold_ms} and/or an error rate above {@code error_rate_threshold} over
 * {@code window_minutes}.
 */
@RestController
class AlertRulesAdminController {

    private static final Set<String> PERCENTILES = Set.of("p50", "p90", "p95", "p99");

    private final JdbcClient jdbc;

    AlertRulesAdminController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Rule(String screen, String percentile, Double thresholdMs, Double errorRateThreshold, int windowMinutes,
                boolean enabled, String description) {
    }

    @GetMapping(path = "/api/alert-rules", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> list() {
        return Map.of("rules", jdbc.sql("SELECT to_jsonb(r)::text FROM latency_alert_rules r ORDER BY rule_id")
                .query(String.class).list().stream().map(RawJson::new).toList());
    }

    @PostMapping(path = "/api/alert-rules", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> create(@RequestBody JsonNode body) {
        Rule r = parse(body);
        long id = jdbc.sql("""
                        INSERT INTO latency_alert_rules (screen, percentile, threshold_ms, error_rate_threshold, window_minutes, enabled, description)
                        VALUES (:screen, :percentile, :threshold, :errorRate, :window, :enabled, :description) RETURNING rule_id""")
                .params(params(r)).query(Long.class).single();
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("rule_id", id));
    }

    @PutMapping(path = "/api/alert-rules/{ruleId}", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> upsert(@PathVariable long ruleId, @RequestBody JsonNode body) {
        Rule r = parse(body);
        jdbc.sql("""
                        INSERT INTO latency_alert_rules (rule_id, screen, percentile, threshold_ms, error_rate_threshold, window_minutes, enabled, description)
                        VALUES (:id, :screen, :percentile, :threshold, :errorRate, :window, :enabled, :description)
                        ON CONFLICT (rule_id) DO UPDATE SET screen = EXCLUDED.screen, percentile = EXCLUDED.percentile,
                            threshold_ms = EXCLUDED.threshold_ms, error_rate_threshold = EXCLUDED.error_rate_threshold,
                            window_minutes = EXCLUDED.window_minutes, enabled = EXCLUDED.enabled,
                            description = EXCLUDED.description, updated_at = now()""")
                .params(params(r)).param("id", ruleId).update();
        return Map.of("rule_id", ruleId);
    }

    @DeleteMapping(path = "/api/alert-rules/{ruleId}")
    ResponseEntity<Void> delete(@PathVariable long ruleId) {
        if (jdbc.sql("DELETE FROM latency_alert_rules WHERE rule_id = :id").param("id", ruleId).update() == 0) {
            throw ApiException.notFound("no alert rule " + ruleId);
        }
        return ResponseEntity.noContent().build();
    }


    private static Map<String, Object> params(Rule r) {
        var p = new java.util.HashMap<String, Object>();
        p.put("screen", r.screen());
        p.put("percentile", r.percentile());
        p.put("threshold", r.thresholdMs());
        p.put("errorRate", r.errorRateThreshold());
        p.put("window", r.windowMinutes());
        p.put("enabled", r.enabled());
        p.put("description", r.description());
        return p;
    }

    private static Rule parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        List<String> problems = new ArrayList<>();
        String screen = body.path("screen").asText("*");
        if (screen.isBlank() || screen.length() > 100) {
            problems.add("screen: a screen id, or * for every screen");
        }
        String percentile = body.hasNonNull("percentile") ? body.get("percentile").asText() : null;
        Double threshold = body.hasNonNull("threshold_ms") ? body.get("threshold_ms").asDouble() : null;
        Double errorRate = body.hasNonNull("error_rate_threshold") ? body.get("error_rate_threshold").asDouble() : null;
        if (percentile != null && !PERCENTILES.contains(percentile)) {
            problems.add("percentile: one of " + PERCENTILES.stream().sorted().toList());
        }
        if ((percentile == null) != (threshold == null)) {
            problems.add("percentile and threshold_ms: give both, or neither");
        }
        if (threshold != null && !(threshold > 0 && threshold < 600_000)) {
            problems.add("threshold_ms: more than 0 and less than 600000");
        }
        if (errorRate != null && !(errorRate >= 0 && errorRate <= 1)) {
            problems.add("error_rate_threshold: a fraction from 0 to 1 (0.05 is 5 %)");
        }
        if (threshold == null && errorRate == null) {
            problems.add("a rule needs a latency threshold (percentile + threshold_ms), an error_rate_threshold, or both");
        }
        int window = body.path("window_minutes").asInt(5);
        if (window < 1 || window > 60) {
            problems.add("window_minutes: 1 to 60");
        }
        String description = body.path("description").asText("");
        if (description.length() > 500) {
            problems.add("description: at most 500 characters");
        }
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("the alert rule is not valid", problems);
        }
        return new Rule(screen, percentile, threshold, errorRate, window, body.path("enabled").asBoolean(true), description);
    }
}
