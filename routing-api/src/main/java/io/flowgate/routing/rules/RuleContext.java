package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a rule may look at for one request: the submitted data and the session. The customer and lead
 * records are looked up only if a rule reads them.
 */
public record RuleContext(ObjectNode submitted, String waId, String flowId, String currentScreen, ObjectNode userData,
                          ObjectNode initialData, int transitions) {
}
