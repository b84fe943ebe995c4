package io.flowgate.routing.rules;

import java.util.Map;

/**
 * What a matching rule decided: the next screen (or {@code SUCCESS}) and the data to show it with
 * (plain Java values, nulls already dropped).
 */
public record Decision(long ruleId, String ruleName, String nextScreen, Map<String, Object> data, boolean handover) {
}
