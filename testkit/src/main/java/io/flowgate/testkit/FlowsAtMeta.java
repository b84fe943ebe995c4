package io.flowgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.testkit.GraphApiStandIn.Answer;
import io.flowgate.testkit.GraphApiStandIn.Call;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Meta's side of the Flows API, the business key and the Flow metrics API (reference §1.3, §1.8, §1.9), with
 * state, as the {@link GraphApiStandIn} answers them, the way Meta answers: Graph error objects with
 * {@code code}, {@code error_user_title}, {@code error_user_msg} and {@code fbtrace_id}; an uploaded Flow
 * JSON checked for what Meta checks and Flowgate does not (the Flow JSON {@code version} must be one Meta
 * publishes); {@code validation_errors} in Meta's shape; publishing refused while the JSON has errors or an
 * endpoint Flow has no {@code endpoint_uri}; rate-limit errors on demand ({@link #rateLimitNext}).
 */
public final class FlowsAtMeta {

    public static final String WABA_ID = "102290129340398";
    /** Flow JSON versions Meta publishes (AWS's list, reference §1.9). */
    static final Set<String> PUBLISHABLE_VERSIONS = Set.of("5.1", "6.0", "6.1", "6.2", "6.3", "7.0", "7.1", "7.2", "7.3");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FLOW = Pattern.compile("^/v[0-9.]+/(9[0-9]{14})(/assets|/publish|/deprecate)?/?$");
    private static final Pattern PART_NAME = Pattern.compile("name=\"([^\"]*)\"");
    private static final Pattern METRIC = Pattern.compile(
            "metric\\.name\\(([A-Z_]+)\\)\\.granularity\\(([A-Z]+)\\)\\.since\\(([0-9-]+)\\)\\.until\\(([0-9-]+)\\)");

    /** One Flow at Meta. */
    public static final class Flow {
        public final String id;
        public final String name;
        public volatile String status = "DRAFT";
        public volatile String endpointUri;
        public volatile JsonNode flowJson;
        public volatile ArrayNode validationErrors = JSON.createArrayNode();

        Flow(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    private final String phoneNumberId;
    private final Pattern paths;
    private final Map<String, Flow> flows = new ConcurrentHashMap<>();
    private final Map<String, ArrayNode> metrics = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(900_000_000_000_000L);
    private final Deque<Limit> rateLimits = new ArrayDeque<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile String publicKey;
    private volatile String signatureStatus;

    FlowsAtMeta(String phoneNumberId) {
        this.phoneNumberId = phoneNumberId;
        this.paths = Pattern.compile("^/v[0-9.]+/(9[0-9]{14}(/.*)?|" + Pattern.quote(phoneNumberId) + "/whatsapp_business_encryption|"
                + WABA_ID + "/flows)/?$");
    }

    /** Whether a call to {@code path} is one of the Flows, business key or metrics API's. */
    boolean answers(String path) {
        return paths.matcher(path).matches();
    }

    public Flow flow(String metaFlowId) {
        return flows.get(metaFlowId);
    }

    /** The public key Meta holds for the phone number (PEM), or null. */
    public String publicKey() {
        return publicKey;
    }

    /** "METHOD path" of every call answered here, in order. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /**
     * The next {@code count} calls whose path ends with {@code pathSuffix} are refused with Meta's rate-limit
     * error {@code code} (4, 80007, 130429).
     */
    public void rateLimitNext(int count, int code, String pathSuffix) {
        synchronized (rateLimits) {
            for (int i = 0; i < count; i++) {
                rateLimits.add(new Limit(code, pathSuffix));
            }
        }
    }

    private record Limit(int code, String pathSuffix) {
    }

    /** Makes Meta's signature of the uploaded key MISMATCH (as after a re-registration) until the next upload. */
    public void signatureMismatch() {
        signatureStatus = "MISMATCH";
    }

    /** Seeds the data points Meta answers for one metric of one Flow: {@code [{"timestamp", "data": [{key, value}]}]}. */
    public void metric(String metaFlowId, String metric, String dataPointsJson) {
        try {
            metrics.put(metaFlowId + ":" + metric, (ArrayNode) JSON.readTree(dataPointsJson));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Answers one call whose token the stand-in has accepted. */
    Answer answer(Call call) {
        String path = call.path();
        String query = call.query() == null ? "" : URLDecoder.decode(call.query(), StandardCharsets.UTF_8);
        String method = call.method();
        calls.add(method + " " + path + (query.isEmpty() ? "" : "?" + query));
        synchronized (rateLimits) {
            Limit limit = rateLimits.peek();
            if (limit != null && path.endsWith(limit.pathSuffix())) {
                rateLimits.poll();
                return rateLimited(limit.code());
            }
        }
        Map<String, String> fields = fields(call);
        synchronized (this) {
            if (path.endsWith("/" + phoneNumberId + "/whatsapp_business_encryption")) {
                return "POST".equals(method) ? uploadKey(fields) : ok(readKey());
            }
            if (path.endsWith("/" + WABA_ID + "/flows") && "POST".equals(method)) {
                return createFlow(fields);
            }
            Matcher m = FLOW.matcher(path);
            if (!m.matches()) {
                return error(400, 2500, "Unknown path components: " + path, null, null);
            }
            Flow flow = flows.get(m.group(1));
            if (flow == null) {
                return error(400, 100, "Unsupported get request. Object with ID '" + m.group(1) + "' does not exist, cannot be loaded "
                        + "due to missing permissions, or does not support this operation.", null, null);
            }
            String action = m.group(2) == null ? "" : m.group(2);
            return switch (method + " " + action) {
                case "POST /assets" -> uploadAsset(flow, fields);
                case "POST /publish" -> publish(flow);
                case "POST /deprecate" -> deprecate(flow);
                case "POST " -> update(flow, fields);
                case "GET " -> query.contains("metric.name(") ? metrics(flow, query) : ok(describe(flow));
                default -> error(400, 100, "Unsupported " + method + " request.", null, null);
            };
        }
    }

    private Answer uploadKey(Map<String, String> form) {
        String pem = form.get("business_public_key");
        try {
            KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
                    Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""))));
        } catch (Exception invalid) {
            return error(400, 100, "(#100) Invalid parameter", "Invalid public key",
                    "The business public key is not a valid RSA public key in PEM format.");
        }
        publicKey = pem;
        signatureStatus = "VALID";
        return ok(JSON.createObjectNode().put("success", true));
    }

    private ObjectNode readKey() {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode data = answer.putArray("data");
        if (publicKey != null) {
            data.addObject().put("business_public_key", publicKey).put("business_public_key_signature_status", signatureStatus);
        }
        return answer;
    }

    private Answer createFlow(Map<String, String> parts) {
        String name = parts.get("name");
        String categories = parts.get("categories");
        if (name == null || name.isBlank()) {
            return error(400, 100, "(#100) The parameter name is required", null, null);
        }
        if (categories == null || !categories.startsWith("[")) {
            return error(400, 100, "(#100) Param categories must be an array", "Invalid categories",
                    "Choose at least one category for the Flow.");
        }
        for (Flow existing : flows.values()) {
            if (existing.name.equals(name)) {
                return error(400, 100, "Invalid parameter", "Flow name is not unique",
                        "Flow name is not unique. Please choose a different name.");
            }
        }
        Flow flow = new Flow(String.valueOf(ids.incrementAndGet()), name);
        flow.endpointUri = parts.get("endpoint_uri");
        flows.put(flow.id, flow);
        return ok(JSON.createObjectNode().put("id", flow.id));
    }

    private Answer uploadAsset(Flow flow, Map<String, String> parts) {
        if (!"FLOW_JSON".equals(parts.get("asset_type")) || !"flow.json".equals(parts.get("name"))) {
            return error(400, 100, "(#100) Param asset_type must be FLOW_JSON and name flow.json", null, null);
        }
        if (!"DRAFT".equals(flow.status)) {
            return error(400, 139001, "Flow can't be updated", "Flow can't be updated",
                    "You can't update a Flow that is published or deprecated. Clone it to make changes.");
        }
        ArrayNode errors = JSON.createArrayNode();
        try {
            JsonNode json = JSON.readTree(parts.get("file"));
            flow.flowJson = json;
            String version = json.path("version").asText("");
            if (!PUBLISHABLE_VERSIONS.contains(version)) {
                errors.addObject().put("error", "INVALID_PROPERTY_VALUE").put("error_type", "FLOW_JSON_ERROR")
                        .put("message", "Invalid value found for property 'version'. Flow JSON version " + version + " is not supported.")
                        .put("line_start", 2).put("line_end", 2).put("column_start", 14).put("column_end", 14 + version.length())
                        .putArray("pointers").addObject().put("line_start", 2).put("line_end", 2)
                        .put("column_start", 14).put("column_end", 14 + version.length()).put("path", "version");
            }
        } catch (Exception notJson) {
            errors.addObject().put("error", "INVALID_JSON").put("error_type", "JSON_SCHEMA_ERROR").put("message", "Invalid JSON.");
        }
        flow.validationErrors = errors;
        ObjectNode answer = JSON.createObjectNode().put("success", true);
        answer.set("validation_errors", errors);
        return ok(answer);
    }

    private Answer publish(Flow flow) {
        if (flow.flowJson == null || !flow.validationErrors.isEmpty()) {
            return error(400, 139001, "Flow can't be published", "Flow can't be published",
                    "The Flow JSON has validation errors. Fix them before publishing.");
        }
        if (flow.flowJson.has("data_api_version") && flow.endpointUri == null) {
            return error(400, 139001, "Flow can't be published", "Endpoint URI is missing",
                    "Set the endpoint URI of the Flow before publishing it.");
        }
        if (!"DRAFT".equals(flow.status)) {
            return error(400, 139001, "Flow can't be published", "Flow is not a draft", "Only draft Flows can be published.");
        }
        flow.status = "PUBLISHED";
        return ok(JSON.createObjectNode().put("success", true));
    }

    private Answer deprecate(Flow flow) {
        if (!"PUBLISHED".equals(flow.status)) {
            return error(400, 139002, "Flow can't be deprecated", "Flow can't be deprecated", "Only published Flows can be deprecated.");
        }
        flow.status = "DEPRECATED";
        return ok(JSON.createObjectNode().put("success", true));
    }

    private Answer update(Flow flow, Map<String, String> form) {
        if (form.containsKey("endpoint_uri")) {
            flow.endpointUri = form.get("endpoint_uri");
        }
        return ok(JSON.createObjectNode().put("success", true));
    }

    private ObjectNode describe(Flow flow) {
        ObjectNode answer = JSON.createObjectNode().put("id", flow.id).put("name", flow.name).put("status", flow.status);
        answer.set("validation_errors", flow.validationErrors);
        if (flow.endpointUri != null) {
            answer.put("endpoint_uri", flow.endpointUri);
        }
        if (flow.flowJson != null) {
            answer.put("json_version", flow.flowJson.path("version").asText());
        }
        return answer;
    }

    private Answer metrics(Flow flow, String query) {
        Matcher m = METRIC.matcher(query);
        if (!m.find()) {
            return error(400, 100, "(#100) Invalid metric query", null, null);
        }
        ArrayNode points = metrics.get(flow.id + ":" + m.group(1));
        if (points == null) {
            return error(400, 100, "(#100) Not enough data: metrics are available once the Flow had 250 endpoint requests",
                    "Not enough data", "There is not enough data to show metrics for this Flow yet.");
        }
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode metric = answer.putObject("metric");
        metric.put("granularity", m.group(2)).put("name", m.group(1));
        metric.set("data_points", points);
        answer.put("id", flow.id);
        return ok(answer);
    }

    private static Answer rateLimited(int code) {
        String message = switch (code) {
            case 4 -> "(#4) Application request limit reached";
            case 80007 -> "(#80007) There have been too many calls to this WhatsApp Business account. Wait a bit and try again.";
            default -> "(#" + code + ") Rate limit hit";
        };
        return error(code == 130429 ? 429 : 400, code, message, null, null);
    }

    private static Answer error(int status, int code, String message, String userTitle, String userMessage) {
        return new Answer(status, GraphApiStandIn.graphError(code, message, userTitle, userMessage, null), 0);
    }

    private static Answer ok(JsonNode body) {
        return new Answer(200, body.toString(), 0);
    }

    /** The fields of a {@code multipart/form-data} or {@code application/x-www-form-urlencoded} body. */
    static Map<String, String> fields(Call call) {
        Map<String, String> fields = new HashMap<>();
        String contentType = call.contentType() == null ? "" : call.contentType();
        // ISO-8859-1 keeps every byte as one char, so boundaries are found in bytes and each part decoded as UTF-8 after
        String body = new String(call.body(), StandardCharsets.ISO_8859_1);
        int b = contentType.indexOf("boundary=");
        if (contentType.startsWith("multipart/form-data") && b >= 0) {
            String boundary = "--" + contentType.substring(b + "boundary=".length()).replace("\"", "").split(";")[0].trim();
            for (String part : body.split(Pattern.quote(boundary))) {
                int headEnd = part.indexOf("\r\n\r\n");
                Matcher name = PART_NAME.matcher(headEnd < 0 ? "" : part.substring(0, headEnd));
                if (name.find()) {
                    String content = part.substring(headEnd + 4);
                    content = content.endsWith("\r\n") ? content.substring(0, content.length() - 2) : content;
                    fields.put(name.group(1), new String(content.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                }
            }
            return fields;
        }
        for (String pair : body.isEmpty() ? new String[0] : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }
}
