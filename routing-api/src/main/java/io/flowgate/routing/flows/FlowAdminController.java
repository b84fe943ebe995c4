package io.flowgate.routing.flows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.routing.system.ApiException;
import io.flowgate.routing.system.BoundedBody;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Admin API of the Flow registry: upload a Flow's JSON ({@code PUT /api/flows/{flowId}}), read it back,
 * list the Flows. An invalid Flow is refused with a 400 that lists every problem.
 */
@RestController
class FlowAdminController {

    private final FlowRegistry registry;
    private final ObjectMapper mapper;
    private final FlowsProperties properties;
    private final FlowValidation validation;

    FlowAdminController(FlowRegistry registry, ObjectMapper mapper, FlowsProperties properties, FlowValidation validation) {
        this.registry = registry;
        this.mapper = mapper;
        this.properties = properties;
        this.validation = validation;
    }

    @PutMapping(path = "/api/flows/{flowId}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> upload(@PathVariable String flowId, HttpServletRequest request) throws IOException {
        checkId(flowId);
        JsonNode json = BoundedBody.readJson(request, properties.maxJsonBytes(), mapper, "the Flow JSON");
        boolean existed = registry.find(flowId).isPresent();
        validation.check(flowId, json);
        FlowDefinition flow = registry.save(flowId, json);
        return ResponseEntity.status(existed ? HttpStatus.OK : HttpStatus.CREATED).body(summary(flow));
    }

    @GetMapping(path = "/api/flows/{flowId}", produces = MediaType.APPLICATION_JSON_VALUE)
    JsonNode get(@PathVariable String flowId) {
        checkId(flowId);
        return registry.find(flowId).map(FlowDefinition::json)
                .orElseThrow(() -> ApiException.notFound("no Flow " + flowId));
    }

    @GetMapping(path = "/api/flows", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, List<String>> list() {
        return Map.of("flows", registry.ids());
    }

    private Map<String, Object> summary(FlowDefinition flow) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("flow_id", flow.flowId());
        out.put("revision", registry.revision(flow.flowId()));
        out.put("data_api_version", flow.dataApiVersion());
        out.put("entry_screen", flow.entryScreen());
        out.put("screens", List.copyOf(flow.screens().keySet()));
        return out;
    }

    private static void checkId(String flowId) {
        FlowValidation.checkId(flowId);
    }
}
