package io.flowgate.routing.rules;

import dev.cel.bundle.Cel;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelException;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.runtime.CelRuntime;

import java.util.List;
import java.util.function.Predicate;

/**
 * Compiles one CEL expression a business wrote (a routing rule's condition or data, a chat machine's
 * transition or score) and reports what is wrong with it in words an admin API can return: missing, too
 * long, not compiling, or of the wrong type. One place, so that rules and chat machines refuse the same
 * mistakes the same way.
 */
public final class CelExpressions {

    private CelExpressions() {
    }

    /**
     * The program, or null after adding the problem to {@code problems}.
     *
     * @param where     where the expression stands, prefixed to the problem (e.g. {@code data.slots})
     * @param fits      whether the compiled expression's type is acceptable
     * @param needs     the acceptable type in words, for the problem
     */
    public static CelRuntime.Program compile(Cel cel, String where, String expression, int maxLength,
                                             Predicate<CelType> fits, String needs, List<String> problems) {
        if (expression == null || expression.isBlank()) {
            problems.add(where + ": an expression is required");
            return null;
        }
        if (expression.length() > maxLength) {
            problems.add(where + ": at most " + maxLength + " characters");
            return null;
        }
        try {
            CelAbstractSyntaxTree ast = cel.compile(expression).getAst();
            CelType type = ast.getResultType();
            if (!fits.test(type)) {
                problems.add(where + ": is " + type.name() + ", needs " + needs);
                return null;
            }
            return cel.createProgram(ast);
        } catch (CelValidationException e) {
            problems.add(where + ": " + e.getMessage().replace('\n', ' '));
            return null;
        } catch (CelException e) {
            problems.add(where + ": " + e.getMessage());
            return null;
        }
    }
}
