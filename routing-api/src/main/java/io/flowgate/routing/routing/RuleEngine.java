package io.flowgate.routing.routing;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
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

/**
 * Decides the next screen from the business's rules: the rules of the Flow, screen and action in
 * priority order, the first whose condition holds wins. Compiled rules are cached per Flow and dropped
 * the moment a rule or the Flow changes on any instance. A condition that fails to evaluate (say,
 * {@code int(data.budget)} on "abc") counts as false; a rule whose data fails to evaluate is skipped,
 * logged and counted ({@code flowgate.rules.errors}), and the next rule is tried.
 */
@Service
public class RuleEngine implements FlowUploadCheck {

    private static final Logger log = LoggerFactory.getLogger(RuleEngine.class);

    private final RuleRepository rules;
    private final RuleCompiler compiler;
    private final FlowRegistry flows;
    private final RoutingTables tables;
    private final Counter errors;
    private final LoadingCache<String, Map<String, List<RuleCompiler.CompiledRule>>> byFlow;

    RuleEngine(RuleRepository rules, RuleCompiler compiler, FlowRegistry flows, RoutingTables tables,
               ChangeListener changes, MeterRegistry meters) {
        this.rules = rules;
        this.compiler = compiler;
        this.flows = flows;
        this.tables = tables;
        this.errors = Counter.builder("flowgate.rules.errors").description("rule data that failed to evaluate").register(meters);
        this.byFlow = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build(this::load);
        changes.subscribe(change -> {
            switch (change.table()) {
                case "routing_rules", "flows" -> byFlow.invalidate(change.key());
                case ChangeListener.ALL -> byFlow.invalidateAll();
                default -> {
                }
            }
        });
    }

    /** The decision of the first matching rule, or empty when no rule applies. */
    public Optional<Decision> decide(String flowId, String screen, String action, RuleContext context) {
        List<RuleCompiler.CompiledRule> candidates = byFlow.get(flowId).get(key(screen, action));
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
            return Optional.of(new Decision(d.ruleId(), d.name(), d.nextScreen(), data, d.handover()));
        }
        return Optional.empty();
    }

    /** Checks that a Flow's existing rules still fit a new version of it; returns the problems. */
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

    private Map<String, List<RuleCompiler.CompiledRule>> load(String flowId) {
        FlowDefinition flow = flows.find(flowId).orElse(null);
        if (flow == null) {
            return Map.of();
        }
        Map<String, List<RuleCompiler.CompiledRule>> grouped = new HashMap<>();
        List<RuleDefinition> all = rules.forFlow(flowId);
        for (RuleDefinition rule : sorted(all)) {
            if (!rule.enabled()) {
                continue;
            }
            try {
                grouped.computeIfAbsent(key(rule.screen(), rule.action()), k -> new ArrayList<>()).add(compiler.compile(rule, flow));
            } catch (RuleValidationException e) {
                log.warn("rule {} of flow {} no longer fits the Flow and is ignored: {}", rule.ruleId(), flowId, e.getMessage());
            }
        }
        return grouped;
    }

    private static List<RuleDefinition> sorted(Collection<RuleDefinition> all) {
        List<RuleDefinition> list = new ArrayList<>(all);
        list.sort((a, b) -> a.priority() != b.priority() ? Integer.compare(a.priority(), b.priority())
                : Long.compare(a.ruleId(), b.ruleId()));
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
