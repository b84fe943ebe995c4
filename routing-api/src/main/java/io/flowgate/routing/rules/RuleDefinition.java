package io.flowgate.routing.rules;

import java.util.Map;

/**
 * A routing rule as stored and as the admin API takes it.
 *
 * @param screen     the screen the request comes from; empty for {@code INIT}
 * @param action     {@code INIT} or {@code data_exchange}
 * @param priority   lower runs first; ties by rule id
 * @param condition  a CEL expression that must be true for the rule to apply
 * @param nextScreen the screen to answer with, or {@code SUCCESS} to complete the Flow
 * @param data       field name to CEL expression: the next screen's data (or, for SUCCESS, the
 *                   {@code extension_message_response.params} forwarded in the completion message)
 * @param handover   routing here hands the session to a live agent
 */
public record RuleDefinition(
        Long ruleId,
        String flowId,
        String screen,
        String action,
        int priority,
        String name,
        String condition,
        String nextScreen,
        Map<String, String> data,
        boolean handover,
        boolean enabled) {

    public static final String INIT = "INIT";
    public static final String DATA_EXCHANGE = "data_exchange";

    public RuleDefinition {
        screen = screen == null ? "" : screen;
        name = name == null ? "" : name;
        condition = condition == null || condition.isBlank() ? "true" : condition;
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    RuleDefinition withId(long id) {
        return new RuleDefinition(id, flowId, screen, action, priority, name, condition, nextScreen, data, handover, enabled);
    }
}
