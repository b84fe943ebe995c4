package io.flowgate.routing.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.chat.ChatMachines;
import io.flowgate.routing.chat.machine.ChatMachine;
import io.flowgate.routing.chat.machine.MachineParser;
import io.flowgate.routing.chat.machine.MachineValidationException;
import io.flowgate.routing.flows.FlowDefinition;
import io.flowgate.routing.flows.FlowRegistry;
import io.flowgate.routing.rules.RuleCompiler;
import io.flowgate.routing.rules.RuleDefinition;
import io.flowgate.routing.rules.RuleEngine;
import io.flowgate.routing.rules.RuleJson;
import io.flowgate.routing.rules.RuleRepository;
import io.flowgate.routing.rules.RuleValidationException;
import io.flowgate.routing.system.AdminJsonBody;
import io.flowgate.routing.system.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Admin API of routing experiments (docs/experiments.md, "Running an experiment"):
 * {@code POST /api/experiments} creates a draft (a body of at most 1 MiB), {@code PUT /api/experiments/{id}} replaces a draft,
 * {@code POST /api/experiments/{id}/start|pause|stop|promote} move it through its life, and
 * {@code GET /api/experiments[?flow_id=|?machine_id=]}, {@code GET /api/experiments/{id}} show it with any guardrail
 * stop. An experiment belongs to a Flow ({@code flow_id}) or to a chat machine ({@code machine_id}). A Flow
 * treatment's rules are checked exactly like the rule admin API's; a machine treatment's states by
 * validating the machine with them exactly like an upload ({@link MachineParser}). A running or paused
 * experiment's variants and weights never change (409): a new experiment is made instead.
 */
@RestController
class ExperimentAdminController {

    private static final Logger log = LoggerFactory.getLogger(ExperimentAdminController.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final int MAX_VARIANTS = 10;
    static final int MAX_RULES_PER_VARIANT = 100;
    static final int MAX_DESCRIPTION = 2_000;
    static final int MAX_WEIGHT = 10_000;
    private static final int MAX_LISTED = 500;
    private static final Set<String> FIELDS = Set.of("experiment_id", "flow_id", "machine_id", "description", "primary_metric",
            "alpha", "max_p90_latency_ms", "max_error_rate", "variants");
    private static final Set<String> VARIANT_FIELDS = Set.of("variant", "control", "weight", "rules", "states");
    static final int MAX_STATES_PER_VARIANT = 50;

    private final ExperimentRepository experiments;
    private final RuleRepository rules;
    private final RuleCompiler compiler;
    private final FlowRegistry flows;
    private final TransactionTemplate tx;
    private final ObjectMapper mapper;
    private final RuleEngine engine;
    private final ChatMachines machines;

    ExperimentAdminController(ExperimentRepository experiments, RuleRepository rules, RuleCompiler compiler,
                              FlowRegistry flows, TransactionTemplate tx, ObjectMapper mapper, RuleEngine engine,
                              ChatMachines machines) {
        this.machines = machines;
        this.mapper = mapper;
        this.engine = engine;
        this.experiments = experiments;
        this.rules = rules;
        this.compiler = compiler;
        this.flows = flows;
        this.tx = tx;
    }

    @GetMapping(path = "/api/experiments", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> list(@RequestParam(name = "flow_id", required = false) String flowId,
                             @RequestParam(name = "machine_id", required = false) String machineId) {
        return Map.of("experiments", experiments.list(flowId, machineId, MAX_LISTED).stream().map(ExperimentAdminController::json).toList());
    }

    @GetMapping(path = "/api/experiments/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> get(@PathVariable String id) {
        return json(existing(id));
    }

    @PostMapping(path = "/api/experiments", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> create(HttpServletRequest request) throws IOException {
        Experiment e = parse(null, AdminJsonBody.parse(request, mapper));
        try {
            tx.executeWithoutResult(status -> experiments.insert(e));
        } catch (DuplicateKeyException duplicate) {
            throw conflict("experiment " + e.experimentId() + " exists already; choose another experiment_id");
        }
        log.info("experiment {} created for {} with variants {}", e.experimentId(), e.subject(),
                e.variants().stream().map(v -> v.name() + "=" + v.weight()).toList());
        return ResponseEntity.status(HttpStatus.CREATED).body(json(existing(e.experimentId())));
    }

    @PutMapping(path = "/api/experiments/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> replace(@PathVariable String id, HttpServletRequest request) throws IOException {
        Experiment current = existing(id);
        refuseUnlessDraft(current);
        Experiment e = parse(current, AdminJsonBody.parse(request, mapper));
        if (!Boolean.TRUE.equals(tx.execute(status -> experiments.replaceDraft(e)))) {
            refuseUnlessDraft(existing(id));
        }
        return json(existing(id));
    }

    @PostMapping(path = "/api/experiments/{id}/start", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> start(@PathVariable String id) {
        Experiment e = existing(id);
        List<String> problems = treatmentProblems(e);
        if (!problems.isEmpty()) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", "experiment " + id
                    + "'s treatments no longer fit " + e.subject() + "; create a new experiment", problems);
        }
        try {
            move(e, List.of(Experiment.DRAFT, Experiment.PAUSED), Experiment.RUNNING);
        } catch (DuplicateKeyException duplicate) {
            String other = (e.onMachine() ? experiments.liveOnMachine(e.machineId()) : experiments.live(e.flowId()))
                    .map(Experiment::experimentId).orElse("another experiment");
            throw conflict(e.subject() + " already has a live experiment (" + other
                    + "); stop or promote it first: a session is in at most one experiment");
        }
        return json(existing(id));
    }

    @PostMapping(path = "/api/experiments/{id}/pause", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> pause(@PathVariable String id) {
        move(existing(id), List.of(Experiment.RUNNING), Experiment.PAUSED);
        return json(existing(id));
    }

    @PostMapping(path = "/api/experiments/{id}/stop", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> stop(@PathVariable String id) {
        move(existing(id), List.of(Experiment.DRAFT, Experiment.RUNNING, Experiment.PAUSED), Experiment.STOPPED);
        return json(existing(id));
    }

    /**
     * {@code {"variant": "..."}}: the variant's rules become the Flow's rules for the (screen, action)
     * pairs they name, and the experiment is finished with it as the winner, in one transaction.
     */
    @PostMapping(path = "/api/experiments/{id}/promote", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> promote(@PathVariable String id, @RequestBody JsonNode body) {
        String name = body != null && body.path("variant").isTextual() ? body.get("variant").asText() : null;
        if (name == null) {
            throw ApiException.badRequest("cannot promote", List.of("variant: required, the name of the winning variant"));
        }
        List<String> from = List.of(Experiment.RUNNING, Experiment.PAUSED, Experiment.STOPPED);
        Experiment promoted = tx.execute(status -> {
            Experiment e = existing(id);
            Experiment.Variant winner = e.variant(name).orElseThrow(() -> ApiException.badRequest("cannot promote",
                    List.of("variant: experiment " + id + " has no variant " + name + " (it has "
                            + e.variants().stream().map(Experiment.Variant::name).toList() + ")")));
            if (!from.contains(e.status())) {
                throw conflict("experiment " + id + " is " + e.status() + "; only a running, paused or stopped experiment is promoted");
            }
            if (e.onMachine()) {
                // locked until the commit: an upload meanwhile waits, and then sees the winner's states
                JsonNode current = machines.lockDefinition(e.machineId())
                        .orElseThrow(() -> conflict("chat machine " + e.machineId() + " no longer exists"));
                List<String> problems = machineProblems(winner, current, "variant " + name);
                if (!problems.isEmpty()) {
                    throw new ApiException(HttpStatus.CONFLICT, "conflict", "variant " + name + "'s states no longer fit chat machine "
                            + e.machineId() + "; nothing was changed", problems);
                }
                if (!winner.states().isEmpty()) {
                    machines.replaceDefinition(e.machineId(), MachineParser.withStates(current, winner.states()));
                }
            } else {
                FlowDefinition flow = flow(e.flowId());
                List<String> problems = problems(winner, flow, "variant " + name);
                if (!problems.isEmpty()) {
                    throw new ApiException(HttpStatus.CONFLICT, "conflict", "variant " + name + "'s rules no longer fit Flow "
                            + e.flowId() + "; nothing was changed", problems);
                }
                rules.replacePairs(e.flowId(), winner.rules());
            }
            if (!experiments.finish(id, name, from)) {
                throw conflict("experiment " + id + " changed meanwhile; nothing was changed");
            }
            return e;
        });
        forget(promoted);
        log.info("experiment {} finished: variant {} promoted", id, name);
        return json(existing(id));
    }

    private void move(Experiment e, List<String> from, String to) {
        if (!Boolean.TRUE.equals(tx.execute(status -> experiments.transition(e.experimentId(), from, to)))) {
            Experiment now = existing(e.experimentId());
            throw conflict("experiment " + e.experimentId() + " is " + now.status() + "; it can become " + to
                    + " only from " + String.join(" or ", from));
        }
        // in effect on this instance when the answer leaves; on the others within milliseconds
        forget(e);
        log.info("experiment {} of {}: {} -> {}", e.experimentId(), e.subject(), e.status(), to);
    }

    /** Drops what this instance caches of the experiment's Flow or machine. */
    private void forget(Experiment e) {
        if (e.onMachine()) {
            machines.forget(e.machineId());
        } else {
            engine.forget(e.flowId());
        }
    }

    private static void refuseUnlessDraft(Experiment e) {
        if (e.isLive()) {
            throw conflict("experiment " + e.experimentId() + " is " + e.status()
                    + ": its variants, weights and rules cannot change while it runs; create a new experiment instead");
        }
        if (!Experiment.DRAFT.equals(e.status())) {
            throw conflict("experiment " + e.experimentId() + " is " + e.status() + " and cannot change; create a new experiment");
        }
    }

    private Experiment existing(String id) {
        return experiments.find(id).orElseThrow(() -> ApiException.notFound("no experiment " + id));
    }

    private FlowDefinition flow(String flowId) {
        return flows.find(flowId).orElseThrow(() -> conflict("Flow " + flowId + " is no longer uploaded"));
    }

    private static ApiException conflict(String message) {
        return new ApiException(HttpStatus.CONFLICT, "conflict", message);
    }

    /** An experiment from its JSON, every treatment rule compiled against the Flow; a 400 lists every problem. */
    private Experiment parse(Experiment replacing, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        List<String> problems = new ArrayList<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                problems.add(field + ": unknown field (known: " + FIELDS.stream().sorted().toList() + ")");
            }
        }
        String id = text(body, "experiment_id", problems);
        if (replacing != null) {
            if (id != null && !id.equals(replacing.experimentId())) {
                problems.add("experiment_id: " + id + " is not the experiment being replaced (" + replacing.experimentId() + ")");
            }
            id = replacing.experimentId();
        } else if (id == null || !NAME.matcher(id).matches()) {
            problems.add("experiment_id: required, lower-case letters, digits, '_' and '-', at most 64, starting with a letter or digit");
        }
        String flowId = text(body, "flow_id", problems);
        String machineId = text(body, "machine_id", problems);
        if (replacing != null && flowId != null && !flowId.equals(replacing.flowId())) {
            problems.add("flow_id: an experiment's Flow cannot change");
        }
        if (replacing != null && machineId != null && !machineId.equals(replacing.machineId())) {
            problems.add("machine_id: an experiment's chat machine cannot change");
        }
        flowId = replacing != null ? replacing.flowId() : flowId;
        machineId = replacing != null ? replacing.machineId() : machineId;
        FlowDefinition flow = null;
        ChatMachine machine = null;
        if (flowId != null && machineId != null) {
            problems.add("machine_id: an experiment belongs to a Flow (flow_id) or to a chat machine (machine_id), not both");
        } else if (machineId != null) {
            machine = machines.find(machineId).orElse(null);
            if (machine == null) {
                problems.add("machine_id: an uploaded chat machine (there is no chat machine " + machineId + ")");
            }
        } else {
            flow = flowId == null ? null : flows.find(flowId).orElse(null);
            if (flow == null) {
                problems.add("flow_id: required (or machine_id), an uploaded Flow" + (flowId == null ? "" : " (there is no Flow " + flowId + ")"));
            }
        }
        String description = text(body, "description", problems);
        if (description != null && description.length() > MAX_DESCRIPTION) {
            problems.add("description: at most " + MAX_DESCRIPTION + " characters");
        }
        String metric = text(body, "primary_metric", problems);
        metric = metric == null ? "completion" : metric;
        if (!metric.equals("completion")) {
            String screen = metric.startsWith("screen:") ? metric.substring("screen:".length()) : null;
            if (screen == null) {
                problems.add("primary_metric: 'completion' or 'screen:<SCREEN>'");
            } else if (flow != null && !flow.hasScreen(screen)) {
                problems.add("primary_metric: Flow " + flowId + " has no screen " + screen + " (it has " + flow.screens().keySet() + ")");
            } else if (machine != null && machine.state(screen) == null) {
                problems.add("primary_metric: chat machine " + machineId + " has no state " + screen + " (it has " + machine.states().keySet() + ")");
            }
        }
        Double alpha = number(body, "alpha", problems);
        if (alpha != null && !(alpha > 0 && alpha < 0.5)) {
            problems.add("alpha: a number above 0 and below 0.5");
        }
        Double p90 = number(body, "max_p90_latency_ms", problems);
        if (p90 != null && !(p90 > 0)) {
            problems.add("max_p90_latency_ms: a number above 0");
        }
        Double errorRate = number(body, "max_error_rate", problems);
        if (errorRate != null && !(errorRate > 0 && errorRate <= 1)) {
            problems.add("max_error_rate: a number above 0, at most 1");
        }
        List<Experiment.Variant> variants = variants(body.get("variants"), flowId, flow, machine, problems);
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("the experiment is not valid", problems);
        }
        return new Experiment(id, flowId, machineId, description == null ? "" : description, Experiment.DRAFT, metric,
                alpha == null ? 0.05 : alpha, p90, errorRate, null, null, null, null, variants, List.of());
    }

    private List<Experiment.Variant> variants(JsonNode node, String flowId, FlowDefinition flow, ChatMachine machine,
                                              List<String> problems) {
        if (node == null || !node.isArray() || node.size() < 2 || node.size() > MAX_VARIANTS) {
            problems.add("variants: required, an array of 2 to " + MAX_VARIANTS + " variants: one control and at least one treatment");
            return List.of();
        }
        List<Experiment.Variant> variants = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int controls = 0;
        int total = 0;
        for (int i = 0; i < node.size(); i++) {
            String where = "variants[" + i + "]";
            JsonNode v = node.get(i);
            if (!v.isObject()) {
                problems.add(where + ": an object {variant, control, weight, rules}");
                continue;
            }
            for (Iterator<String> fields = v.fieldNames(); fields.hasNext(); ) {
                String field = fields.next();
                if (!VARIANT_FIELDS.contains(field)) {
                    problems.add(where + "." + field + ": unknown field (known: " + VARIANT_FIELDS.stream().sorted().toList() + ")");
                }
            }
            String name = v.path("variant").isTextual() ? v.get("variant").asText() : null;
            if (name == null || !NAME.matcher(name).matches()) {
                problems.add(where + ".variant: required, lower-case letters, digits, '_' and '-', at most 64");
            } else if (!names.add(name)) {
                problems.add(where + ".variant: " + name + " is named twice");
            }
            JsonNode controlNode = v.path("control");
            if (!controlNode.isMissingNode() && !controlNode.isBoolean()) {
                problems.add(where + ".control: true or false");
            }
            boolean control = controlNode.asBoolean(false);
            controls += control ? 1 : 0;
            JsonNode weightNode = v.get("weight");
            int weight = 0;
            if (weightNode == null || !weightNode.canConvertToInt() || !weightNode.isIntegralNumber()
                    || weightNode.asInt() < 0 || weightNode.asInt() > MAX_WEIGHT) {
                problems.add(where + ".weight: required, a whole number from 0 to " + MAX_WEIGHT + " (its share of the traffic)");
            } else {
                weight = weightNode.asInt();
                total += weight;
            }
            List<RuleDefinition> variantRules = new ArrayList<>();
            JsonNode rulesNode = v.get("rules");
            ObjectNode states = states(v.get("states"), where, control, machine, problems);
            if (machine != null && rulesNode != null && !rulesNode.isNull()) {
                problems.add(where + ".rules: a chat machine's treatment names states, not rules");
            } else if (flow != null && states != null && !states.isEmpty()) {
                problems.add(where + ".states: a Flow's treatment names rules, not states");
            } else if (rulesNode != null && !rulesNode.isNull()) {
                if (!rulesNode.isArray() || rulesNode.size() > MAX_RULES_PER_VARIANT) {
                    problems.add(where + ".rules: an array of at most " + MAX_RULES_PER_VARIANT + " rules");
                } else if (control && !rulesNode.isEmpty()) {
                    problems.add(where + ".rules: the control has no rules: it is routed by the Flow's normal rules");
                } else {
                    for (int j = 0; j < rulesNode.size(); j++) {
                        String ruleWhere = where + ".rules[" + j + "]";
                        try {
                            RuleDefinition rule = RuleJson.parse(flowId, null, rulesNode.get(j));
                            if (flow != null) {
                                compiler.compile(rule, flow);
                            }
                            variantRules.add(rule);
                        } catch (ApiException e) {
                            e.details().forEach(p -> problems.add(ruleWhere + "." + p));
                            if (e.details().isEmpty()) {
                                problems.add(ruleWhere + ": " + e.getMessage());
                            }
                        } catch (RuleValidationException e) {
                            e.problems().forEach(p -> problems.add(ruleWhere + "." + p));
                        }
                    }
                }
            }
            variants.add(new Experiment.Variant(name, control, weight, variantRules, states));
        }
        if (controls != 1) {
            problems.add("variants: exactly one variant has \"control\": true (found " + controls + ")");
        }
        if (controls == 1 && variants.size() < 2) {
            problems.add("variants: at least one treatment besides the control");
        }
        if (total <= 0) {
            problems.add("variants: the weights must not all be 0");
        }
        return variants;
    }

    /**
     * A treatment's states ({@code {"STATE": {...}, "GONE": null}}), checked by validating the machine with
     * them exactly as an upload is ({@link MachineParser}); null when absent.
     */
    private static ObjectNode states(JsonNode node, String where, boolean control, ChatMachine machine, List<String> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject() || node.size() > MAX_STATES_PER_VARIANT) {
            problems.add(where + ".states: an object of at most " + MAX_STATES_PER_VARIANT + " state definitions by state id");
            return null;
        }
        if (control && !node.isEmpty()) {
            problems.add(where + ".states: the control has no states: it is the chat machine as defined");
            return null;
        }
        if (machine != null) {
            problems.addAll(machineProblems((ObjectNode) node, machine.definition(), where));
        }
        return (ObjectNode) node;
    }

    private static List<String> machineProblems(Experiment.Variant variant, JsonNode definition, String where) {
        return machineProblems(variant.states(), definition, where);
    }

    private static List<String> machineProblems(ObjectNode states, JsonNode definition, String where) {
        try {
            ChatMachines.withStates("treatment", definition, states);
            return List.of();
        } catch (MachineValidationException e) {
            return e.problems().stream().map(p -> where + "." + p).toList();
        }
    }

    private List<String> treatmentProblems(Experiment e) {
        List<String> problems = new ArrayList<>();
        if (e.onMachine()) {
            JsonNode definition = machines.find(e.machineId()).map(ChatMachine::definition)
                    .orElseThrow(() -> conflict("chat machine " + e.machineId() + " is no longer uploaded"));
            e.variants().forEach(v -> problems.addAll(machineProblems(v, definition, "variant " + v.name())));
        } else {
            FlowDefinition flow = flow(e.flowId());
            e.variants().forEach(v -> problems.addAll(problems(v, flow, "variant " + v.name())));
        }
        return problems;
    }

    private List<String> problems(Experiment.Variant variant, FlowDefinition flow, String where) {
        List<String> problems = new ArrayList<>();
        for (int j = 0; j < variant.rules().size(); j++) {
            try {
                compiler.compile(variant.rules().get(j), flow);
            } catch (RuleValidationException e) {
                String rule = where + " rules[" + j + "]";
                e.problems().forEach(p -> problems.add(rule + "." + p));
            }
        }
        return problems;
    }

    private static String text(JsonNode body, String field, List<String> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            problems.add(field + ": a string");
            return null;
        }
        return v.asText();
    }

    private static Double number(JsonNode body, String field, List<String> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            problems.add(field + ": a number");
            return null;
        }
        return v.asDouble();
    }

    static Map<String, Object> json(Experiment e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("experiment_id", e.experimentId());
        out.put("flow_id", e.flowId());
        out.put("machine_id", e.machineId());
        out.put("description", e.description());
        out.put("status", e.status());
        out.put("primary_metric", e.primaryMetric());
        out.put("alpha", e.alpha());
        out.put("max_p90_latency_ms", e.maxP90LatencyMs());
        out.put("max_error_rate", e.maxErrorRate());
        out.put("winner", e.winner());
        out.put("created_at", text(e.createdAt()));
        out.put("started_at", text(e.startedAt()));
        out.put("ended_at", text(e.endedAt()));
        Map<String, Map<String, Object>> stops = new LinkedHashMap<>();
        for (Experiment.GuardrailStop s : e.stops()) {
            Map<String, Object> stop = new LinkedHashMap<>();
            stop.put("variant", s.variant());
            stop.put("guardrail", s.guardrail());
            stop.put("observed", s.observed());
            stop.put("threshold", s.threshold());
            stop.put("detail", s.detail());
            stop.put("stopped_at", text(s.stoppedAt()));
            stop.put("reason", reason(s));
            stops.put(s.variant(), stop);
        }
        out.put("variants", e.variants().stream().map(v -> {
            Map<String, Object> variant = new LinkedHashMap<>();
            variant.put("variant", v.name());
            variant.put("control", v.control());
            variant.put("weight", v.weight());
            variant.put("assigning", Experiment.RUNNING.equals(e.status()) && v.weight() > 0 && !stops.containsKey(v.name()));
            if (e.onMachine()) {
                variant.put("states", v.states());
            } else {
                variant.put("rules", v.rules().stream().map(ExperimentRepository::stored).toList());
            }
            variant.put("guardrail_stop", stops.get(v.name()));
            return variant;
        }).toList());
        out.put("guardrail_stops", List.copyOf(stops.values()));
        return out;
    }

    /** A sentence for operators: which guardrail, what was seen against what was allowed. */
    static String reason(Experiment.GuardrailStop s) {
        StringBuilder why = new StringBuilder("stopped by guardrail ").append(s.guardrail());
        if (s.observed() != null) {
            why.append(": observed ").append(s.observed());
            if (s.threshold() != null) {
                why.append(", threshold ").append(s.threshold());
            }
        }
        return why.append(" at ").append(s.stoppedAt()).toString();
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
