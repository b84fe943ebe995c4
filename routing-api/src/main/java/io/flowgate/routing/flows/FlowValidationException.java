package io.flowgate.routing.flows;

import java.util.List;

/** A Flow JSON that breaks the rules; carries every problem found, not just the first. */
public final class FlowValidationException extends RuntimeException {

    private final List<String> problems;

    public FlowValidationException(List<String> problems) {
        super(problems.size() + " problem(s): " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
