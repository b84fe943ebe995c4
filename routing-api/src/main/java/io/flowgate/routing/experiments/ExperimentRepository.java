package io.flowgate.routing.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.rules.RuleDefinition;
import io.flowgate.routing.rules.RuleJson;
import io.flowgate.routing.system.JsonColumns;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Experiments, their variants and guardrail stops in PostgreSQL. */
@Repository
public class ExperimentRepository {

    private static final String COLUMNS = """
            experiment_id, flow_id, machine_id, description, status, primary_metric, alpha, max_p90_latency_ms, max_error_rate,
            winner, created_at, started_at, ended_at""";

    private final JdbcClient jdbc;
    private final ObjectMapper mapper;

    ExperimentRepository(JdbcClient jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    public Optional<Experiment> find(String experimentId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM experiments WHERE experiment_id = :id").param("id", experimentId)
                .query(this::row).optional().map(this::complete);
    }

    /** The running or paused experiment of a Flow, if any (the database allows at most one). */
    public Optional<Experiment> live(String flowId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM experiments WHERE flow_id = :flow AND status IN ('running', 'paused')")
                .param("flow", flowId).query(this::row).optional().map(this::complete);
    }

    /** The running or paused experiment of a chat machine, if any (the database allows at most one). */
    public Optional<Experiment> liveOnMachine(String machineId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM experiments WHERE machine_id = :machine AND status IN ('running', 'paused')")
                .param("machine", machineId).query(this::row).optional().map(this::complete);
    }

    /** All experiments, or a Flow's, or a chat machine's, newest first; at most {@code limit}. */
    List<Experiment> list(String flowId, String machineId, int limit) {
        String where = flowId != null ? " WHERE flow_id = :subject" : machineId != null ? " WHERE machine_id = :subject" : "";
        var sql = jdbc.sql("SELECT " + COLUMNS + " FROM experiments" + where + " ORDER BY created_at DESC, experiment_id LIMIT :limit")
                .param("limit", limit);
        if (!where.isEmpty()) {
            sql = sql.param("subject", flowId != null ? flowId : machineId);
        }
        return sql.query(this::row).list().stream().map(this::complete).toList();
    }

    /** Inserts a draft with its variants (in the caller's transaction). */
    void insert(Experiment e) {
        jdbc.sql("""
                        INSERT INTO experiments (experiment_id, flow_id, machine_id, description, status, primary_metric, alpha,
                            max_p90_latency_ms, max_error_rate)
                        VALUES (:id, :flow, :machine, :description, 'draft', :metric, :alpha, :p90, :errors)""")
                .params(definition(e)).update();
        insertVariants(e);
    }

    /** Replaces a draft's definition and variants; false when it is no longer a draft (in the caller's transaction). */
    boolean replaceDraft(Experiment e) {
        int updated = jdbc.sql("""
                        UPDATE experiments SET description = :description, primary_metric = :metric, alpha = :alpha,
                            max_p90_latency_ms = :p90, max_error_rate = :errors
                        WHERE experiment_id = :id AND flow_id IS NOT DISTINCT FROM :flow
                            AND machine_id IS NOT DISTINCT FROM :machine AND status = 'draft'""")
                .params(definition(e)).update();
        if (updated == 0) {
            return false;
        }
        jdbc.sql("DELETE FROM experiment_variants WHERE experiment_id = :id").param("id", e.experimentId()).update();
        insertVariants(e);
        return true;
    }

    /** Moves an experiment from one of {@code from} to {@code to}; false when it was in none of them. */
    boolean transition(String experimentId, List<String> from, String to) {
        return jdbc.sql("""
                        UPDATE experiments SET status = :to,
                            started_at = CASE WHEN :to = 'running' THEN coalesce(started_at, now()) ELSE started_at END,
                            ended_at = CASE WHEN :to IN ('stopped', 'finished') THEN now() ELSE ended_at END
                        WHERE experiment_id = :id AND status IN (:from)""")
                .param("to", to).param("id", experimentId).param("from", from).update() == 1;
    }

    /** Records the promoted variant and finishes the experiment (in the caller's transaction). */
    boolean finish(String experimentId, String winner, List<String> from) {
        return jdbc.sql("""
                        UPDATE experiments SET status = 'finished', winner = :winner, ended_at = now()
                        WHERE experiment_id = :id AND status IN (:from)""")
                .param("winner", winner).param("id", experimentId).param("from", from).update() == 1;
    }

    private Map<String, Object> definition(Experiment e) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", e.experimentId());
        p.put("flow", e.flowId());
        p.put("machine", e.machineId());
        p.put("description", e.description());
        p.put("metric", e.primaryMetric());
        p.put("alpha", e.alpha());
        p.put("p90", e.maxP90LatencyMs());
        p.put("errors", e.maxErrorRate());
        return p;
    }

    private void insertVariants(Experiment e) {
        for (Experiment.Variant v : e.variants()) {
            jdbc.sql("""
                            INSERT INTO experiment_variants (experiment_id, variant, is_control, weight, rules, states)
                            VALUES (:id, :variant, :control, :weight, CAST(:rules AS jsonb), CAST(:states AS jsonb))""")
                    .param("id", e.experimentId()).param("variant", v.name()).param("control", v.control())
                    .param("weight", v.weight()).param("rules", JsonColumns.text(mapper, v.rules().stream().map(ExperimentRepository::stored).toList()))
                    .param("states", JsonColumns.text(mapper, v.states()))
                    .update();
        }
    }

    /** A treatment rule as stored: the routing_rules columns the admin API takes. */
    static Map<String, Object> stored(RuleDefinition r) {
        Map<String, Object> out = new LinkedHashMap<>(RuleJson.json(r));
        out.remove("rule_id");
        out.remove("flow_id");
        out.remove("enabled");
        return out;
    }

    private Experiment complete(Experiment e) {
        List<Experiment.Variant> variants = jdbc.sql("""
                        SELECT variant, is_control, weight, rules::text AS rules, states::text AS states FROM experiment_variants
                        WHERE experiment_id = :id ORDER BY is_control DESC, variant""")
                .param("id", e.experimentId())
                .query((rs, n) -> new Experiment.Variant(rs.getString("variant"), rs.getBoolean("is_control"), rs.getInt("weight"),
                        rules(e.flowId(), rs.getString("rules")), (ObjectNode) JsonColumns.tree(mapper, rs.getString("states"))))
                .list();
        List<Experiment.GuardrailStop> stops = jdbc.sql("""
                        SELECT variant, guardrail, observed, threshold, detail::text AS detail, stopped_at
                        FROM experiment_guardrail_stops WHERE experiment_id = :id ORDER BY stopped_at, variant""")
                .param("id", e.experimentId())
                .query((rs, n) -> new Experiment.GuardrailStop(rs.getString("variant"), rs.getString("guardrail"),
                        (Double) rs.getObject("observed"), (Double) rs.getObject("threshold"), JsonColumns.tree(mapper, rs.getString("detail")),
                        instant(rs, "stopped_at")))
                .list();
        return new Experiment(e.experimentId(), e.flowId(), e.machineId(), e.description(), e.status(), e.primaryMetric(), e.alpha(),
                e.maxP90LatencyMs(), e.maxErrorRate(), e.winner(), e.createdAt(), e.startedAt(), e.endedAt(), variants, stops);
    }

    private List<RuleDefinition> rules(String flowId, String text) {
        List<RuleDefinition> rules = new ArrayList<>();
        for (JsonNode rule : JsonColumns.tree(mapper, text)) {
            rules.add(RuleJson.parse(flowId, null, rule));
        }
        return rules;
    }

    private Experiment row(ResultSet rs, int n) throws SQLException {
        return new Experiment(rs.getString("experiment_id"), rs.getString("flow_id"), rs.getString("machine_id"),
                rs.getString("description"),
                rs.getString("status"), rs.getString("primary_metric"), rs.getDouble("alpha"),
                (Double) rs.getObject("max_p90_latency_ms"), (Double) rs.getObject("max_error_rate"), rs.getString("winner"),
                instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "ended_at"), List.of(), List.of());
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
