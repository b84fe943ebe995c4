package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import io.flowgate.routing.flows.FlowDefinition;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles routing rules with CEL and checks them against their Flow, so that an invalid rule is
 * refused when it is saved and a screen-id typo can never reach a phone. The CEL environment declares
 * what a rule may read:
 * <ul>
 *   <li>{@code data} — what the user just submitted;</li>
 *   <li>{@code session} — {@code screen}, {@code data} (everything submitted so far), {@code initial}
 *       (data given when the token was minted), {@code flow_id}, {@code wa_id}, {@code transitions};</li>
 *   <li>{@code customer} — the customers row: {@code tier}, {@code balance_due}, attributes, {@code known};</li>
 *   <li>{@code lead} — the lead_scores row: {@code score}, {@code tier};</li>
 *   <li>{@code item(id)} — inventory joined with hot_inventory: {@code stock}, {@code hot}, {@code demand},
 *       {@code name}, {@code price}, {@code exists}; {@code items()} — items in stock as dropdown options
 *       {@code [{id, title}]}; {@code slots(kind)} — free future appointment slots as dropdown options.</li>
 * </ul>
 */
@Component
public class RuleCompiler {

    static final int MAX_EXPRESSION_LENGTH = 4_000;
    static final int MAX_DATA_FIELDS = 50;
    private static final CelType STRING_MAP = MapType.create(SimpleType.STRING, SimpleType.DYN);
    private static final Set<String> ACTIONS = Set.of(RuleDefinition.INIT, RuleDefinition.DATA_EXCHANGE);

    /** A rule ready to evaluate. */
    public record CompiledRule(RuleDefinition definition, CelRuntime.Program condition, Map<String, CelRuntime.Program> data,
                               Map<String, String> types) {
    }

    private final Cel cel;

    RuleCompiler(RoutingTables tables) {
        this.cel = CelFactory.standardCelBuilder()
                .setOptions(CelOptions.current().maxParseRecursionDepth(64).comprehensionMaxIterations(1_000).build())
                .addVar("data", STRING_MAP)
                .addVar("session", STRING_MAP)
                .addVar("customer", STRING_MAP)
                .addVar("lead", STRING_MAP)
                .addFunctionDeclarations(
                        CelFunctionDecl.newFunctionDeclaration("item",
                                CelOverloadDecl.newGlobalOverload("item_string", STRING_MAP, SimpleType.STRING)),
                        CelFunctionDecl.newFunctionDeclaration("items",
                                CelOverloadDecl.newGlobalOverload("items_", ListType.create(STRING_MAP))),
                        CelFunctionDecl.newFunctionDeclaration("slots",
                                CelOverloadDecl.newGlobalOverload("slots_string", ListType.create(STRING_MAP), SimpleType.STRING)))
                .addFunctionBindings(
                        CelFunctionBinding.from("item_string", String.class, tables::item),
                        CelFunctionBinding.from("items_", List.of(), args -> tables.itemsInStock()),
                        CelFunctionBinding.from("slots_string", String.class, tables::slots))
                .build();
    }

    /**
     * Compiles a rule and checks it against its Flow: the action, the screens (the next screen must be
     * allowed by the routing model from the rule's screen), the condition (a boolean), and the data
     * (each field declared by the next screen, of a matching type).
     *
     * @throws RuleValidationException listing every problem
     */
    public CompiledRule compile(RuleDefinition rule, FlowDefinition flow) {
        List<String> problems = new ArrayList<>();
        if (rule.action() == null || !ACTIONS.contains(rule.action())) {
            problems.add("action: one of " + ACTIONS.stream().sorted().toList());
        }
        if (rule.name().length() > 200) {
            problems.add("name: at most 200 characters");
        }
        checkScreens(rule, flow, problems);
        CelRuntime.Program condition = program("condition", rule.condition(), SimpleType.BOOL, problems);
        Map<String, CelRuntime.Program> data = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        if (rule.data().size() > MAX_DATA_FIELDS) {
            problems.add("data: at most " + MAX_DATA_FIELDS + " fields");
        } else {
            FlowDefinition.Screen target = flow.screen(rule.nextScreen());
            for (Map.Entry<String, String> field : rule.data().entrySet()) {
                String where = "data." + field.getKey();
                JsonNode declared = target == null ? null : target.data().get(field.getKey());
                if (target != null && declared == null) {
                    problems.add(where + ": screen " + target.id() + " declares no such data field (it declares "
                            + target.data().keySet() + ")");
                    continue;
                }
                CelType expected = declared == null ? SimpleType.DYN : celType(declared.path("type").asText());
                if (declared != null) {
                    types.put(field.getKey(), declared.path("type").asText());
                }
                CelRuntime.Program p = program(where, field.getValue(), expected, problems);
                if (p != null) {
                    data.put(field.getKey(), p);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleValidationException(problems);
        }
        return new CompiledRule(rule, condition, data, types);
    }

    private static void checkScreens(RuleDefinition rule, FlowDefinition flow, List<String> problems) {
        String next = rule.nextScreen();
        if (next == null || next.isBlank()) {
            problems.add("next_screen: required, a screen of Flow " + flow.flowId() + " or SUCCESS");
            return;
        }
        if (!FlowDefinition.SUCCESS.equals(next) && !flow.hasScreen(next)) {
            problems.add("next_screen: Flow " + flow.flowId() + " has no screen " + next + " (it has " + flow.screens().keySet() + ")");
            return;
        }
        if (RuleDefinition.INIT.equals(rule.action())) {
            if (!rule.screen().isEmpty()) {
                problems.add("screen: must be empty for an INIT rule (the Flow is opening)");
            }
            if (!flow.entryScreens().contains(next)) {
                problems.add("next_screen: INIT must open an entry screen of the routing_model " + flow.entryScreens());
            }
        } else if (RuleDefinition.DATA_EXCHANGE.equals(rule.action())) {
            if (!flow.hasScreen(rule.screen())) {
                problems.add("screen: Flow " + flow.flowId() + " has no screen " + (rule.screen().isEmpty() ? "''" : rule.screen()));
            } else if (!FlowDefinition.SUCCESS.equals(next) && !flow.allows(rule.screen(), next)) {
                problems.add("next_screen: the routing_model does not allow " + rule.screen() + " -> " + next
                        + " (allowed: " + flow.routesFrom(rule.screen()) + ")");
            }
        }
    }

    private CelRuntime.Program program(String where, String expression, CelType expected, List<String> problems) {
        return CelExpressions.compile(cel, where, expression, MAX_EXPRESSION_LENGTH, actual -> assignable(actual, expected),
                expected.name(), problems);
    }

    private static boolean assignable(CelType actual, CelType expected) {
        if (actual.kind() == CelKind.DYN || expected.kind() == CelKind.DYN) {
            return true;
        }
        if (expected.equals(SimpleType.DOUBLE)) {
            return actual.kind() == CelKind.DOUBLE || actual.kind() == CelKind.INT || actual.kind() == CelKind.UINT;
        }
        if (expected.equals(SimpleType.INT)) {
            return actual.kind() == CelKind.INT || actual.kind() == CelKind.UINT;
        }
        return actual.kind() == expected.kind();
    }

    /** The CEL type of a Flow JSON data declaration's {@code type}. */
    private static CelType celType(String jsonType) {
        return switch (jsonType) {
            case "string" -> SimpleType.STRING;
            case "number" -> SimpleType.DOUBLE;
            case "integer" -> SimpleType.INT;
            case "boolean" -> SimpleType.BOOL;
            case "array" -> ListType.create(SimpleType.DYN);
            case "object" -> STRING_MAP;
            default -> SimpleType.DYN;
        };
    }

    /** Evaluates a program; evaluation errors surface as {@link CelEvaluationException}. */
    static Object eval(CelRuntime.Program program, Map<String, ?> variables) throws CelEvaluationException {
        return program.eval(variables);
    }
}
