package io.flowgate.routing.flows;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.system.ApiException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The checks a Flow JSON passes before Flowgate takes it ({@code PUT /api/flows/{id}}) and before it is sent
 * to Meta: it is a valid Flow, and it fits everything that depends on its screens (its routing rules).
 */
@Component
public class FlowValidation {

    static final Pattern FLOW_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final List<FlowUploadCheck> checks;

    FlowValidation(ObjectProvider<FlowUploadCheck> checks) {
        this.checks = checks.orderedStream().toList();
    }

    /** @throws ApiException 400 unless {@code flowId} is a well-formed Flow id */
    public static void checkId(String flowId) {
        if (flowId == null || !FLOW_ID.matcher(flowId).matches()) {
            throw ApiException.badRequest("flow id must be 1-64 letters, digits, '_', '.' or '-'");
        }
    }

    /**
     * @return the parsed Flow
     * @throws ApiException 400 listing every problem
     */
    public FlowDefinition check(String flowId, JsonNode json) {
        try {
            FlowDefinition candidate = FlowDefinition.parse(flowId, json);
            List<String> conflicts = new ArrayList<>();
            checks.forEach(check -> conflicts.addAll(check.problemsWith(candidate)));
            if (!conflicts.isEmpty()) {
                throw ApiException.badRequest("the new Flow JSON does not fit the Flow's routing rules; change or delete them first",
                        conflicts);
            }
            return candidate;
        } catch (FlowValidationException e) {
            throw ApiException.badRequest("the Flow JSON is not valid", e.problems());
        }
    }
}
