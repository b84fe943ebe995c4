package io.flowgate.routing.flows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.routing.system.AdminJsonBody;
import io.flowgate.routing.system.ApiException;
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
import java.util.regex.Pattern;

/**
 * Admin API of the Flow registry: upload a Flow's JSON ({@code PUT /api/flows/{flowId}}), read it back,
 * list the Flows, list a Flow's kept versions and read one ({@code GET /api/flows/{flowId}/versions[/{version}]}).
 * An invalid Flow is refused with a 400 that lists every problem.
 */
@RestController
class FlowAdminController {

    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");

    private final FlowRegistry registry;
    private final ObjectMapper mapper;
    private final FlowValidation validation;

    FlowAdminController(FlowRegistry registry, ObjectMapper mapper, FlowValidation validation) {
        this.registry = registry;
        this.mapper = mapper;
        this.validation = validation;
    }

    @PutMapping(path = "/api/flows/{flowId}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> upload(@PathVariable String flowId, HttpServletRequest request) throws IOException {
        checkId(flowId);
        JsonNode json = AdminJsonBody.parse(request, mapper);
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

    /** Every kept version of the Flow, oldest first; the last one is the Flow as it is now. */
    @GetMapping(path = "/api/flows/{flowId}/versions", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> versions(@PathVariable String flowId) {
        checkId(flowId);
        List<FlowRegistry.FlowVersion> versions = registry.versions(flowId);
        if (versions.isEmpty()) {
            throw ApiException.notFound("no Flow " + flowId);
        }
        List<Map<String, Object>> rows = versions.stream().map(v -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("version", v.version());
            row.put("entry_screen", v.entryScreen());
            row.put("created_at", v.createdAt().toString());
            return row;
        }).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("flow_id", flowId);
        out.put("current", versions.get(versions.size() - 1).version());
        out.put("versions", rows);
        return out;
    }

    /** The Flow JSON of one version, as it was uploaded. */
    @GetMapping(path = "/api/flows/{flowId}/versions/{version}", produces = MediaType.APPLICATION_JSON_VALUE)
    JsonNode version(@PathVariable String flowId, @PathVariable String version) {
        checkId(flowId);
        int number = parseVersion(version);
        return registry.versionJson(flowId, number)
                .orElseThrow(() -> ApiException.notFound("no version " + number + " of Flow " + flowId));
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

    private static int parseVersion(String version) {
        if (!VERSION.matcher(version).matches()) {
            throw ApiException.badRequest("version must be a whole number from 1 (a Flow's revision)");
        }
        return Integer.parseInt(version);
    }

    private static void checkId(String flowId) {
        FlowValidation.checkId(flowId);
    }
}
