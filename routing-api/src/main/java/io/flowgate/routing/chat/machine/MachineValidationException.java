package io.flowgate.routing.chat.machine;

import java.util.List;

/** A machine definition that cannot be used, with every problem found in it. */
public class MachineValidationException extends RuntimeException {

    private final List<String> problems;

    MachineValidationException(List<String> problems) {
        super("invalid chat machine: " + problems.size() + " problem(s)");
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
