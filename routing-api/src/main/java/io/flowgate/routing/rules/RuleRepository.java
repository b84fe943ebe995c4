package io.flowgate.routing.rules;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.routing.system.JsonColumns;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code routing_rules} in PostgreSQL. */
@Repository
public class RuleRepository {

    private static final TypeReference<Map<String, String>> DATA = new TypeReference<>() {
    };
    private static final String COLUMNS =
            "rule_id, flow_id, screen, action, priority, name, condition, next_screen, data::text AS data, handover, enabled";

    private final JdbcClient jdbc;
    private final ObjectMapper mapper;

    RuleRepository(JdbcClient jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /** A Flow's rules in evaluation order. */
    List<RuleDefinition> forFlow(String flowId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM routing_rules WHERE flow_id = :flow ORDER BY screen, action, priority, rule_id")
                .param("flow", flowId).query(this::map).list();
    }

    /** A Flow's rules and its live experiment's id and status (null when none), read in one statement: one snapshot. */
    record WithLiveExperiment(List<RuleDefinition> rules, String liveExperimentId, String liveStatus) {
    }

    WithLiveExperiment forFlowWithLiveExperiment(String flowId) {
        List<Object[]> rows = jdbc.sql("""
                        SELECT live.experiment_id AS live_id, live.status AS live_status, r.rule_id, r.flow_id, r.screen, r.action,
                            r.priority, r.name, r.condition, r.next_screen, r.data::text AS data, r.handover, r.enabled
                        FROM (SELECT 1) one
                        LEFT JOIN (SELECT experiment_id, status FROM experiments
                                   WHERE flow_id = :flow AND status IN ('running', 'paused')) live ON true
                        LEFT JOIN routing_rules r ON r.flow_id = :flow
                        ORDER BY r.screen, r.action, r.priority, r.rule_id""")
                .param("flow", flowId)
                .query((rs, n) -> new Object[]{rs.getString("live_id"), rs.getString("live_status"),
                        rs.getObject("rule_id") == null ? null : map(rs, n)})
                .list();
        List<RuleDefinition> rules = rows.stream().map(r -> (RuleDefinition) r[2]).filter(java.util.Objects::nonNull).toList();
        return new WithLiveExperiment(rules, (String) rows.get(0)[0], (String) rows.get(0)[1]);
    }

    Optional<RuleDefinition> find(long ruleId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM routing_rules WHERE rule_id = :id").param("id", ruleId).query(this::map).optional();
    }

    long insert(RuleDefinition r) {
        return jdbc.sql("""
                        INSERT INTO routing_rules (flow_id, screen, action, priority, name, condition, next_screen, data, handover, enabled)
                        VALUES (:flow, :screen, :action, :priority, :name, :condition, :next, CAST(:data AS jsonb), :handover, :enabled)
                        RETURNING rule_id""")
                .params(params(r)).query(Long.class).single();
    }

    boolean update(RuleDefinition r) {
        return jdbc.sql("""
                        UPDATE routing_rules SET screen = :screen, action = :action, priority = :priority, name = :name,
                            condition = :condition, next_screen = :next, data = CAST(:data AS jsonb), handover = :handover,
                            enabled = :enabled, updated_at = now()
                        WHERE rule_id = :id AND flow_id = :flow""")
                .params(params(r)).param("id", r.ruleId()).update() == 1;
    }

    /**
     * Makes {@code replacements} the Flow's rules for the (screen, action) pairs they name: that pair's
     * current rules are deleted. Atomic only inside the caller's transaction.
     */
    public void replacePairs(String flowId, List<RuleDefinition> replacements) {
        replacements.stream().map(r -> List.of(r.screen(), r.action())).distinct().forEach(pair ->
                jdbc.sql("DELETE FROM routing_rules WHERE flow_id = :flow AND screen = :screen AND action = :action")
                        .param("flow", flowId).param("screen", pair.get(0)).param("action", pair.get(1)).update());
        for (RuleDefinition r : replacements) {
            insert(new RuleDefinition(null, flowId, r.screen(), r.action(), r.priority(), r.name(), r.condition(),
                    r.nextScreen(), r.data(), r.handover(), true));
        }
    }

    boolean delete(long ruleId) {
        return jdbc.sql("DELETE FROM routing_rules WHERE rule_id = :id").param("id", ruleId).update() == 1;
    }

    private Map<String, Object> params(RuleDefinition r) {
        return Map.of("flow", r.flowId(), "screen", r.screen(), "action", r.action(), "priority", r.priority(),
                "name", r.name(), "condition", r.condition(), "next", r.nextScreen(),
                "data", JsonColumns.text(mapper, r.data()), "handover", r.handover(), "enabled", r.enabled());
    }

    private RuleDefinition map(ResultSet rs, int row) throws SQLException {
        return new RuleDefinition(rs.getLong("rule_id"), rs.getString("flow_id"), rs.getString("screen"),
                rs.getString("action"), rs.getInt("priority"), rs.getString("name"), rs.getString("condition"),
                rs.getString("next_screen"), JsonColumns.read(mapper, rs.getString("data"), DATA), rs.getBoolean("handover"),
                rs.getBoolean("enabled"));
    }
}
