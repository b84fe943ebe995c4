package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.flows.FlowDefinition;
import io.flowgate.routing.flows.FlowRegistry;
import io.flowgate.routing.system.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/**
 * Admin API of the routing rules: {@code GET/POST /api/flows/{flowId}/rules},
 * {@code PUT/DELETE /api/flows/{flowId}/rules/{ruleId}}. A rule is compiled and checked against the
 * Flow before it is stored; an invalid one is refused with a 400 naming every problem. A change takes
 * effect on every instance within milliseconds.
 */
@RestController
class RuleAdminController {

    private final RuleRepository rules;
    private final RuleCompiler compiler;
    private final FlowRegistry flows;

    RuleAdminController(RuleRepository rules, RuleCompiler compiler, FlowRegistry flows) {
        this.rules = rules;
        this.compiler = compiler;
        this.flows = flows;
    }

    @GetMapping(path = "/api/flows/{flowId}/rules", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> list(@PathVariable String flowId) {
        flow(flowId);
        return Map.of("rules", rules.forFlow(flowId).stream().map(RuleJson::json).toList());
    }

    @PostMapping(path = "/api/flows/{flowId}/rules", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> create(@PathVariable String flowId, @RequestBody JsonNode body) {
        RuleDefinition rule = RuleJson.parse(flowId, null, body);
        compile(rule);
        long id = rules.insert(rule);
        return ResponseEntity.status(HttpStatus.CREATED).body(RuleJson.json(rule.withId(id)));
    }

    @PutMapping(path = "/api/flows/{flowId}/rules/{ruleId}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> replace(@PathVariable String flowId, @PathVariable long ruleId, @RequestBody JsonNode body) {
        RuleDefinition rule = RuleJson.parse(flowId, ruleId, body);
        compile(rule);
        if (!rules.update(rule)) {
            throw ApiException.notFound("no rule " + ruleId + " in Flow " + flowId);
        }
        return RuleJson.json(rule);
    }

    @DeleteMapping(path = "/api/flows/{flowId}/rules/{ruleId}")
    ResponseEntity<Void> delete(@PathVariable String flowId, @PathVariable long ruleId) {
        RuleDefinition existing = rules.find(ruleId).filter(r -> r.flowId().equals(flowId))
                .orElseThrow(() -> ApiException.notFound("no rule " + ruleId + " in Flow " + flowId));
        rules.delete(existing.ruleId());
        return ResponseEntity.noContent().build();
    }

    private void compile(RuleDefinition rule) {
        try {
            compiler.compile(rule, flow(rule.flowId()));
        } catch (RuleValidationException e) {
            throw ApiException.badRequest("the rule is not valid for Flow " + rule.flowId(), e.problems());
        }
    }

    private FlowDefinition flow(String flowId) {
        return flows.find(flowId).orElseThrow(() -> ApiException.notFound("no Flow " + flowId + " (upload its JSON first)"));
    }
}
