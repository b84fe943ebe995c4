package io.flowgate.routing.chat.machine;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.flowgate.routing.rules.CelExpressions;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CEL environment of chat machines: what a transition condition or a score expression may read.
 * <ul>
 *   <li>{@code answer} — the validated answer of this state: a number (int or double), the id of the chosen
 *       option, the text, or for a Flow state the map of the Flow's completion params;</li>
 *   <li>{@code lead} — everything collected so far, by field ({@code lead.budget}), including this answer;</li>
 *   <li>{@code score} — the qualification score (int), including what this answer added when a transition
 *       is evaluated.</li>
 * </ul>
 * Separate from the Flow rules' environment ({@code routing.RuleCompiler}): chat rules read answers, not
 * Flow requests and routing tables. Numbers compare across int and double ({@code answer >= 5000} holds
 * for 7500.5), because a user's "7500" and "7500.5" are both budgets.
 */
public final class ChatCel {

    static final int MAX_EXPRESSION_LENGTH = 1_000;
    private static final Set<CelKind> NUMERIC = Set.of(CelKind.INT, CelKind.UINT, CelKind.DOUBLE, CelKind.DYN);

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setOptions(CelOptions.current()
                    .maxParseRecursionDepth(32)
                    .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
                    .comprehensionMaxIterations(1_000)
                    .enableHeterogeneousNumericComparisons(true)
                    .build())
            .addVar("answer", SimpleType.DYN)
            .addVar("lead", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("score", SimpleType.INT)
            .build();

    private ChatCel() {
    }

    /** Compiles a condition (must be a bool); adds to {@code problems} and returns null when it cannot. */
    static CelRuntime.Program condition(String where, String expression, List<String> problems) {
        return compile(where, expression, problems, true);
    }

    /** Compiles a score expression (must be a number); adds to {@code problems} and returns null when it cannot. */
    static CelRuntime.Program score(String where, String expression, List<String> problems) {
        return compile(where, expression, problems, false);
    }

    private static CelRuntime.Program compile(String where, String expression, List<String> problems, boolean bool) {
        return CelExpressions.compile(CEL, where, expression, MAX_EXPRESSION_LENGTH,
                type -> bool ? type.kind() == CelKind.BOOL || type.kind() == CelKind.DYN : NUMERIC.contains(type.kind()),
                bool ? "bool" : "int or double", problems);
    }

    /** The variables of one evaluation. */
    public static Map<String, Object> variables(Object answer, Map<String, Object> lead, long score) {
        return Map.of("answer", answer == null ? "" : answer, "lead", lead, "score", score);
    }

    /** Evaluates a compiled condition; a result that is not {@code true} (or an error) is false. */
    public static boolean holds(CelRuntime.Program condition, Map<String, Object> variables) throws CelEvaluationException {
        return Boolean.TRUE.equals(condition.eval(variables));
    }

    /** Evaluates a compiled score expression to whole points (a double is rounded). */
    public static long points(CelRuntime.Program score, Map<String, Object> variables) throws CelEvaluationException {
        Object value = score.eval(variables);
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Double d && Double.isFinite(d)) {
            return Math.round(d);
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        throw new CelEvaluationException("score is " + (value == null ? "null" : value.getClass().getSimpleName()) + ", not a number");
    }
}
