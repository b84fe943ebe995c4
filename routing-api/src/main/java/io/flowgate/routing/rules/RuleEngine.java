package io.flowgate.routing.rules;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import io.flowgate.routing.experiments.Experiment;
import io.flowgate.routing.experiments.ExperimentChanges;
import io.flowgate.routing.experiments.ExperimentRepository;
import io.flowgate.routing.flows.FlowDefinition;
import io.flowgate.routing.flows.FlowRegistry;
import io.flowgate.routing.flows.FlowUploadCheck;
import io.flowgate.routing.system.ChangeListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides the next screen from the business's rules: the rules of the Flow, screen and action in
 * priority order, the first whose condition holds wins. Compiled rules are cached per Flow and dropped
 * the moment a rule or the Flow changes on any instance. A condition that fails to evaluate (say,
 * {@code int(data.budget)} on "abc") counts as false; a rule whose data fails to evaluate is skipped,
 * logged and counted ({@code flowgate.rules.errors}), and the next rule is tried.
 *
 * <p>A session in a treatment of the Flow's live (running or paused) experiment is routed by the
 * treatment's rules for the (screen, action) pairs they name, and by the normal rules elsewhere. The
 * normal rules and the live experiment with its compiled treatments are one cache entry, whose rules and
 * live status are read in one statement: a transition never sees a promotion half done.
 */
@Service
public class RuleEngine implements FlowUploadCheck {

    private static final Logger log = LoggerFactory.getLogger(RuleEngine.class);

    private final RuleRepository rules;
    private final RuleCompiler compiler;
    private final FlowRegistry flows;
    private final RoutingTables tables;
    private final Counter errors;
    private final ExperimentRepository experiments;
    private final LoadingCache<String, FlowRules> byFlow;
    /** Which Flow's entry holds which experiment: what a variant or stop change drops. */
    private final ExperimentChanges experimentFlows;

    /** A Flow's rules as cached: the normal ones, and its live experiment's treatments (variant, then pair). */
    private record FlowRules(Map<String, List<RuleCompiler.CompiledRule>> normal, Experiment live,
                             Map<String, Map<String, List<RuleCompiler.CompiledRule>>> treatments) {
        static final FlowRules NONE = new FlowRules(Map.of(), null, Map.of());
    }

    RuleEngine(RuleRepository rules, RuleCompiler compiler, FlowRegistry flows, RoutingTables tables,
               ExperimentRepository experiments, ChangeListener changes, MeterRegistry meters) {
        this.rules = rules;
        this.experiments = experiments;
        this.compiler = compiler;
        this.flows = flows;
        this.tables = tables;
        this.errors = Counter.builder("flowgate.rules.errors").description("rule data that failed to evaluate").register(meters);
        this.byFlow = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build(this::load);
        this.experimentFlows = ExperimentChanges.subscribe(changes, Set.of("routing_rules", "flows", "experiments"),
                byFlow::invalidate, byFlow::invalidateAll);
    }

    /** The decision of the first matching normal rule, or empty when no rule applies. */
    public Optional<Decision> decide(String flowId, String screen, String action, RuleContext context) {
        return decide(flowId, screen, action, context, null, null);
    }

    /**
     * The decision of the first matching rule for a session in {@code variant} of {@code experimentId}
     * (both null: in no experiment): the treatment's rules if the experiment is live, the variant not
     * stopped by a guardrail and its rules name this (screen, action); else the normal rules.
     */
    public Optional<Decision> decide(String flowId, String screen, String action, RuleContext context,
                                     String experimentId, String variant) {
        FlowRules flowRules = byFlow.get(flowId);
        String key = key(screen, action);
        List<RuleCompiler.CompiledRule> candidates = flowRules.normal().get(key);
        if (experimentId != null && flowRules.live() != null && flowRules.live().experimentId().equals(experimentId)) {
            List<RuleCompiler.CompiledRule> treatment = flowRules.treatments().getOrDefault(variant, Map.of()).get(key);
            if (treatment != null) {
                candidates = treatment;
            }
        }
        if (candidates == null) {
            return Optional.empty();
        }
        CelVariableResolver variables = variables(context);
        for (RuleCompiler.CompiledRule rule : candidates) {
            if (!holds(rule, variables)) {
                continue;
            }
            Map<String, Object> data = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, CelRuntime.Program> field : rule.data().entrySet()) {
                    Object value = field.getValue().eval(variables);
                    if (value != null && !isNull(value)) {
                        String type = rule.types().get(field.getKey());
                        if (!fits(value, type)) {
                            throw new IllegalArgumentException(field.getKey() + " is " + value.getClass().getSimpleName()
                                    + ", the screen declares " + type);
                        }
                        data.put(field.getKey(), value);
                    }
                }
            } catch (CelEvaluationException | RuntimeException e) {
                errors.increment();
                log.warn("rule {} ({}) of flow {}: data failed to evaluate ({}); trying the next rule",
                        rule.definition().ruleId(), rule.definition().name(), flowId, e.getMessage());
                continue;
            }
            RuleDefinition d = rule.definition();
            return Optional.of(new Decision(d.ruleId() == null ? 0 : d.ruleId(), d.name(), d.nextScreen(), data, d.handover()));
        }
        return Optional.empty();
    }

    /**
     * Drops a Flow's cached entry on this instance at once, for a change made through it (the other
     * instances hear of it through {@link ChangeListener} within milliseconds).
     */
    public void forget(String flowId) {
        byFlow.invalidate(flowId);
    }

    /** The Flow's running or paused experiment, as the cached rules know it. */
    public Optional<Experiment> liveExperiment(String flowId) {
        return Optional.ofNullable(byFlow.get(flowId).live());
    }

    /** Checks that a Flow's existing rules, and its live experiment's, still fit a new version of it; returns the problems. */
    @Override
    public List<String> problemsWith(FlowDefinition newFlow) {
        List<String> problems = new ArrayList<>();
        for (RuleDefinition rule : rules.forFlow(newFlow.flowId())) {
            try {
                compiler.compile(rule, newFlow);
            } catch (RuleValidationException e) {
                e.problems().forEach(p -> problems.add("rule " + rule.ruleId() + " (" + rule.name() + ") " + p));
            }
        }
        experiments.live(newFlow.flowId()).ifPresent(live -> {
            for (Experiment.Variant v : live.variants()) {
                for (RuleDefinition rule : v.rules()) {
                    try {
                        compiler.compile(rule, newFlow);
                    } catch (RuleValidationException e) {
                        e.problems().forEach(p -> problems.add("experiment " + live.experimentId() + " variant " + v.name()
                                + " rule (" + rule.name() + ") " + p));
                    }
                }
            }
        });
        return problems;
    }

    private static boolean holds(RuleCompiler.CompiledRule rule, CelVariableResolver variables) {
        try {
            return Boolean.TRUE.equals(rule.condition().eval(variables));
        } catch (CelEvaluationException | RuntimeException e) {
            log.debug("rule {}: condition failed to evaluate, taken as false: {}", rule.definition().ruleId(), e.getMessage());
            return false;
        }
    }

    private CelVariableResolver variables(RuleContext c) {
        Map<String, Object> cached = new HashMap<>(4);
        return name -> Optional.ofNullable(cached.computeIfAbsent(name, n -> switch (n) {
            case "data" -> CelValues.map(c.submitted());
            case "session" -> session(c);
            case "customer" -> tables.customer(c.waId());
            case "lead" -> tables.lead(c.waId());
            default -> null;
        }));
    }

    private static Map<String, Object> session(RuleContext c) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("screen", c.currentScreen() == null ? "" : c.currentScreen());
        s.put("data", CelValues.map(c.userData()));
        s.put("initial", CelValues.map(c.initialData()));
        s.put("flow_id", c.flowId());
        s.put("wa_id", c.waId());
        s.put("transitions", (long) c.transitions());
        return s;
    }

    /** The normal rules and the live experiment, read in one snapshot, compiled. */
    private FlowRules load(String flowId) {
        FlowDefinition flow = flows.find(flowId).orElse(null);
        if (flow == null) {
            return FlowRules.NONE;
        }
        // the rules and whether an experiment is live come from one statement, so one snapshot, even inside
        // a step's transaction: a promotion is seen whole or not at all. A live experiment's variants never
        // change; its guardrail stops are read after, and each one drops this entry again anyway.
        RuleRepository.WithLiveExperiment read = rules.forFlowWithLiveExperiment(flowId);
        Map<String, List<RuleCompiler.CompiledRule>> normal = compiled(read.rules(), flow, "rule of flow " + flowId);
        Experiment live = read.liveExperimentId() == null ? null
                : experiments.find(read.liveExperimentId()).map(e -> e.withStatus(read.liveStatus())).orElse(null);
        Map<String, Map<String, List<RuleCompiler.CompiledRule>>> treatments = new HashMap<>();
        if (live != null) {
            experimentFlows.remember(live.experimentId(), flowId);
            for (Experiment.Variant v : live.variants()) {
                if (!v.control() && !live.stopped().contains(v.name())) {
                    treatments.put(v.name(), compiled(v.rules(), flow, "experiment " + live.experimentId() + " variant " + v.name() + " rule"));
                }
            }
        }
        return new FlowRules(normal, live, treatments);
    }

    private Map<String, List<RuleCompiler.CompiledRule>> compiled(List<RuleDefinition> all, FlowDefinition flow, String what) {
        Map<String, List<RuleCompiler.CompiledRule>> grouped = new HashMap<>();
        for (RuleDefinition rule : sorted(all)) {
            if (!rule.enabled()) {
                continue;
            }
            try {
                grouped.computeIfAbsent(key(rule.screen(), rule.action()), k -> new ArrayList<>()).add(compiler.compile(rule, flow));
            } catch (RuleValidationException e) {
                log.warn("{} {} ({}) no longer fits the Flow and is ignored: {}", what, rule.ruleId() == null ? "" : rule.ruleId(),
                        rule.name(), e.getMessage());
            }
        }
        return grouped;
    }

    /** Priority order; ties by rule id (treatment rules have none: their order of definition, the sort being stable). */
    private static List<RuleDefinition> sorted(Collection<RuleDefinition> all) {
        List<RuleDefinition> list = new ArrayList<>(all);
        list.sort((a, b) -> a.priority() != b.priority() ? Integer.compare(a.priority(), b.priority())
                : a.ruleId() == null || b.ruleId() == null ? 0 : Long.compare(a.ruleId(), b.ruleId()));
        return list;
    }

    /** Whether a value evaluated through a dynamic expression has the type the screen declares. */
    static boolean fits(Object value, String jsonType) {
        if (jsonType == null) {
            return true;
        }
        return switch (jsonType) {
            case "string" -> value instanceof String;
            case "number" -> value instanceof Number;
            case "integer" -> value instanceof Long || value instanceof Integer || value instanceof Double d && d == Math.rint(d);
            case "boolean" -> value instanceof Boolean;
            case "array" -> value instanceof List<?>;
            case "object" -> value instanceof Map<?, ?>;
            default -> true;
        };
    }

    private static boolean isNull(Object value) {
        return value.getClass().getSimpleName().equals("NullValue");
    }

    private static String key(String screen, String action) {
        return (screen == null ? "" : screen) + "\u0000" + action;
    }
}
