package io.flowgate.routing.rules;

import java.util.List;

/** A rule that would route somewhere the Flow forbids, or cannot be evaluated; lists every problem. */
public final class RuleValidationException extends RuntimeException {

    private final List<String> problems;

    public RuleValidationException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
