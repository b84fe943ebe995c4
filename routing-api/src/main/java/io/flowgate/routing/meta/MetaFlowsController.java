package io.flowgate.routing.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.flowgate.routing.flows.FlowRegistry;
import io.flowgate.routing.flows.FlowValidation;
import io.flowgate.routing.system.AdminJsonBody;
import io.flowgate.routing.system.ApiException;
import io.flowgate.routing.whatsapp.GraphApi;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Flow's life at Meta, driven from Flowgate (docs/meta-lifecycle.md): create it in the WABA, upload the Flow
 * JSON Flowgate's registry holds, see Meta's {@code validation_errors}, publish, deprecate, set its
 * {@code endpoint_uri}. Which Flow at Meta a Flow is, and which revision of its JSON Meta has, is kept in
 * {@code meta_flows}.
 */
@RestController
class MetaFlowsController {

    /** Meta's Flow categories (Flows API reference). */
    static final Set<String> CATEGORIES = Set.of("SIGN_UP", "SIGN_IN", "APPOINTMENT_BOOKING", "LEAD_GENERATION",
            "CONTACT_US", "CUSTOMER_SUPPORT", "SURVEY", "OTHER");
    static final int MAX_NAME_CHARS = 200;
    static final int MAX_URI_CHARS = 2048;
    private static final Logger log = LoggerFactory.getLogger(MetaFlowsController.class);

    private final GraphApi graph;
    private final MetaFlows flows;
    private final FlowRegistry registry;
    private final FlowValidation validation;
    private final MetaProperties properties;
    private final MetaMetrics metrics;
    private final ObjectMapper mapper;

    MetaFlowsController(GraphApi graph, MetaFlows flows, FlowRegistry registry, FlowValidation validation,
                        MetaProperties properties, MetaMetrics metrics, ObjectMapper mapper) {
        this.graph = graph;
        this.flows = flows;
        this.registry = registry;
        this.validation = validation;
        this.properties = properties;
        this.metrics = metrics;
        this.mapper = mapper;
        graph.deadline(properties.callDeadline());
    }

    @GetMapping(path = "/api/meta/flows", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> list() {
        return Map.of("flows", flows.all().stream().map(this::view).toList());
    }

    /** What Flowgate knows; with {@code refresh=true} Meta's status and validation errors are read first. */
    @GetMapping(path = "/api/meta/flows/{flowId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> get(@PathVariable String flowId, @RequestParam(defaultValue = "false") boolean refresh) {
        MetaFlows.Row row = existing(flowId);
        if (refresh) {
            JsonNode meta = graph.get(row.metaFlowId() + "?fields=id,name,status,validation_errors,json_version,endpoint_uri");
            flows.refreshed(flowId, text(meta, "status"), arrayOrEmpty(meta.path("validation_errors")), text(meta, "endpoint_uri"));
            row = existing(flowId);
        }
        return view(row);
    }

    /** Creates the Flow at Meta: {@code {"name"?, "categories": [...], "endpoint_uri"?}}. */
    @PostMapping(path = "/api/meta/flows/{flowId}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> create(@PathVariable String flowId, HttpServletRequest request) throws IOException {
        FlowValidation.checkId(flowId);
        JsonNode body = AdminJsonBody.parse(request, mapper);
        if (registry.find(flowId).isEmpty()) {
            throw ApiException.notFound("no Flow " + flowId + " in Flowgate's registry: upload it with PUT /api/flows/" + flowId + " first");
        }
        if (flows.find(flowId).isPresent()) {
            throw new ApiException(HttpStatus.CONFLICT, "exists", "Flow " + flowId + " already exists at Meta as "
                    + flows.find(flowId).get().metaFlowId());
        }
        if (properties.wabaIdOrNull() == null) {
            throw new ApiException(HttpStatus.CONFLICT, "not_configured", "FLOWGATE_WABA_ID is not set: Flows are created in the WABA");
        }
        String name = body.path("name").isMissingNode() ? flowId : body.path("name").asText("");
        List<String> problems = new ArrayList<>();
        if (!body.path("name").isMissingNode() && !body.path("name").isTextual() || name.isBlank() || name.length() > MAX_NAME_CHARS) {
            problems.add("name: must be a text of 1-" + MAX_NAME_CHARS + " characters (default: the Flow id)");
        }
        List<String> categories = new ArrayList<>();
        JsonNode given = body.path("categories");
        if (!given.isArray() || given.isEmpty() || given.size() > CATEGORIES.size()) {
            problems.add("categories: must be a non-empty array of " + new java.util.TreeSet<>(CATEGORIES));
        } else {
            given.forEach(c -> {
                if (!c.isTextual() || !CATEGORIES.contains(c.asText())) {
                    problems.add("categories: " + clip(c.toString()) + " is not one of " + new java.util.TreeSet<>(CATEGORIES));
                } else {
                    categories.add(c.asText());
                }
            });
        }
        String endpointUri = body.has("endpoint_uri") ? endpointUri(body.path("endpoint_uri"), problems) : null;
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("the Flow cannot be created at Meta", problems);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", name);
        fields.put("categories", mapper.writeValueAsString(categories));
        if (endpointUri != null) {
            fields.put("endpoint_uri", endpointUri);
        }
        JsonNode created = graph.postMultipart(properties.wabaIdOrNull() + "/flows", fields, null, null, null);
        String metaFlowId = text(created, "id");
        if (metaFlowId == null) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "meta_unavailable", "Meta answered the creation without a Flow id");
        }
        flows.created(flowId, metaFlowId, endpointUri);
        log.info("flow {} created at Meta as {}", flowId, metaFlowId);
        return ResponseEntity.status(HttpStatus.CREATED).body(view(existing(flowId)));
    }

    /**
     * Uploads the registry's Flow JSON as the Flow's {@code flow.json} asset, after the checks of
     * {@code PUT /api/flows/{id}}. Meta keeps a JSON with validation errors as a draft: the revision is
     * recorded either way, and the answer is 422 listing Meta's errors when there are any.
     */
    @PostMapping(path = "/api/meta/flows/{flowId}/upload", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> upload(@PathVariable String flowId) throws IOException {
        MetaFlows.Row row = existing(flowId);
        JsonNode json = registry.find(flowId).map(f -> f.json())
                .orElseThrow(() -> ApiException.notFound("no Flow " + flowId + " in Flowgate's registry"));
        int revision = registry.revision(flowId);
        validation.check(flowId, json);
        byte[] file = mapper.writeValueAsString(json).getBytes(StandardCharsets.UTF_8);
        JsonNode answer = graph.postMultipart(row.metaFlowId() + "/assets",
                Map.of("name", "flow.json", "asset_type", "FLOW_JSON"), "file", "flow.json", file);
        ArrayNode errors = arrayOrEmpty(answer.path("validation_errors"));
        flows.uploaded(flowId, revision, errors);
        log.info("flow {} revision {} uploaded to Meta ({} validation error(s))", flowId, revision, errors.size());
        return ResponseEntity.status(errors.isEmpty() ? HttpStatus.OK : HttpStatus.UNPROCESSABLE_ENTITY).body(view(existing(flowId)));
    }

    /** Publishes the Flow; refused while Meta reports validation errors or Meta has an older revision. */
    @PostMapping(path = "/api/meta/flows/{flowId}/publish", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> publish(@PathVariable String flowId) {
        MetaFlows.Row row = existing(flowId);
        int revision = registry.revision(flowId);
        if (row.uploadedRevision() == null || row.uploadedRevision() != revision) {
            throw new ApiException(HttpStatus.CONFLICT, "stale", "Meta has revision " + row.uploadedRevision() + " of Flow " + flowId
                    + ", Flowgate revision " + revision + ": upload it first (POST /api/meta/flows/" + flowId + "/upload)");
        }
        if (!row.validationErrors().isEmpty()) {
            throw new ApiException(HttpStatus.CONFLICT, "invalid_at_meta", "Meta reports validation errors for Flow " + flowId
                    + ": fix the Flow JSON and upload it again", row.validationErrors().findValuesAsText("message"));
        }
        graph.postForm(row.metaFlowId() + "/publish", Map.of());
        flows.status(flowId, "PUBLISHED");
        log.info("flow {} (Meta {}) published", flowId, row.metaFlowId());
        return view(existing(flowId));
    }

    @PostMapping(path = "/api/meta/flows/{flowId}/deprecate", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> deprecate(@PathVariable String flowId) {
        MetaFlows.Row row = existing(flowId);
        graph.postForm(row.metaFlowId() + "/deprecate", Map.of());
        flows.status(flowId, "DEPRECATED");
        log.info("flow {} (Meta {}) deprecated", flowId, row.metaFlowId());
        return view(existing(flowId));
    }

    /** Sets the Flow's {@code endpoint_uri} at Meta: {@code {"endpoint_uri": "https://…/flows/endpoint"}}. */
    @PutMapping(path = "/api/meta/flows/{flowId}/endpoint-uri", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> endpoint(@PathVariable String flowId, HttpServletRequest request) throws IOException {
        MetaFlows.Row row = existing(flowId);
        JsonNode body = AdminJsonBody.parse(request, mapper);
        List<String> problems = new ArrayList<>();
        String uri = endpointUri(body.path("endpoint_uri"), problems);
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("the endpoint_uri cannot be set", problems);
        }
        graph.postForm(row.metaFlowId(), Map.of("endpoint_uri", uri));
        flows.endpointUri(flowId, uri);
        log.info("flow {} (Meta {}) endpoint_uri set to {}", flowId, row.metaFlowId(), uri);
        return view(existing(flowId));
    }

    /** Reads Meta's metrics for this Flow now, as the schedule does; answers how many points were stored. */
    @PostMapping(path = "/api/meta/flows/{flowId}/metrics/read", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> readMetrics(@PathVariable String flowId) {
        MetaFlows.Row row = existing(flowId);
        return metrics.read(row);
    }

    private MetaFlows.Row existing(String flowId) {
        FlowValidation.checkId(flowId);
        return flows.find(flowId).orElseThrow(() -> ApiException.notFound("Flow " + flowId + " is not at Meta yet: "
                + "create it with POST /api/meta/flows/" + flowId));
    }

    private Map<String, Object> view(MetaFlows.Row row) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("flow_id", row.flowId());
        out.put("meta_flow_id", row.metaFlowId());
        out.put("uploaded_revision", row.uploadedRevision());
        out.put("registry_revision", registry.revision(row.flowId()));
        out.put("meta_status", row.metaStatus());
        out.put("validation_errors", row.validationErrors());
        out.put("endpoint_uri", row.endpointUri());
        out.put("updated_at", row.updatedAt().toString());
        return out;
    }

    private static String endpointUri(JsonNode value, List<String> problems) {
        String text = value.isTextual() ? value.asText().trim() : "";
        try {
            URI uri = new URI(text);
            if (text.length() <= MAX_URI_CHARS && "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
                return text;
            }
        } catch (URISyntaxException invalid) {
            // reported below
        }
        problems.add("endpoint_uri: must be an https URL of at most " + MAX_URI_CHARS + " characters (Meta calls only https endpoints)");
        return null;
    }

    private ArrayNode arrayOrEmpty(JsonNode node) {
        return node.isArray() ? (ArrayNode) node : mapper.createArrayNode();
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).isTextual() ? node.path(field).asText() : null;
    }

    private static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
