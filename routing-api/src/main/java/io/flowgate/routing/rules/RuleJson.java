package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.system.ApiException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A routing rule's JSON form, shared by the rule admin API and the experiments' treatments. */
public final class RuleJson {

    private RuleJson() {
    }

    /**
     * A rule from its JSON ({@code screen, action, priority, name, condition, next_screen, data, handover,
     * enabled}); checks the JSON's shape only, {@link RuleCompiler} checks the rule against its Flow.
     *
     * @throws ApiException 400 naming every field of the wrong shape
     */
    public static RuleDefinition parse(String flowId, Long ruleId, JsonNode body) {
        List<String> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        Map<String, String> data = new LinkedHashMap<>();
        JsonNode dataNode = body.path("data");
        if (!dataNode.isMissingNode() && !dataNode.isNull()) {
            if (!dataNode.isObject()) {
                problems.add("data: an object of field name to CEL expression");
            } else {
                dataNode.fields().forEachRemaining(f -> {
                    if (f.getValue().isTextual()) {
                        data.put(f.getKey(), f.getValue().asText());
                    } else {
                        problems.add("data." + f.getKey() + ": a CEL expression as a string (quote literals: \"'text'\")");
                    }
                });
            }
        }
        JsonNode priority = body.path("priority");
        if (!priority.isMissingNode() && !priority.canConvertToInt()) {
            problems.add("priority: a whole number");
        }
        for (String field : new String[]{"screen", "action", "name", "condition", "next_screen"}) {
            JsonNode v = body.get(field);
            if (v != null && !v.isNull() && !v.isTextual()) {
                problems.add(field + ": a string");
            }
        }
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("the rule is not valid", problems);
        }
        return new RuleDefinition(ruleId, flowId, body.path("screen").asText(""),
                body.path("action").asText(RuleDefinition.DATA_EXCHANGE), priority.asInt(100), body.path("name").asText(""),
                body.path("condition").asText("true"), body.path("next_screen").asText(null), data,
                body.path("handover").asBoolean(false), body.path("enabled").asBoolean(true));
    }

    /** A rule as the admin API shows it. */
    public static Map<String, Object> json(RuleDefinition r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rule_id", r.ruleId());
        out.put("flow_id", r.flowId());
        out.put("screen", r.screen());
        out.put("action", r.action());
        out.put("priority", r.priority());
        out.put("name", r.name());
        out.put("condition", r.condition());
        out.put("next_screen", r.nextScreen());
        out.put("data", r.data());
        out.put("handover", r.handover());
        out.put("enabled", r.enabled());
        return out;
    }
}
