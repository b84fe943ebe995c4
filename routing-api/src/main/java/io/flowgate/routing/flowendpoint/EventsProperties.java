package io.flowgate.routing.flowendpoint;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.List;

/**
 * Which submitted fields a transition event carries ({@code FLOWGATE_ANALYTICS_FIELDS}): only what
 * analytics needs (the selected item, the budget, ...), never free text a user typed.
 */
@ConfigurationProperties("flowgate.events")
record EventsProperties(List<String> analyticsFields) {

    static final int MAX_VALUE_LENGTH = 64;

    EventsProperties {
        analyticsFields = analyticsFields == null || analyticsFields.isEmpty()
                ? List.of("item_id", "budget", "industry", "timeline", "slot") : List.copyOf(analyticsFields);
    }
}
