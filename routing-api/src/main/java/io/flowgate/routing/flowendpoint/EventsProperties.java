package io.flowgate.routing.flowendpoint;

import jakarta.validation.constraints.NotEmpty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.util.List;

/**
 * Which submitted fields a transition event carries ({@code FLOWGATE_ANALYTICS_FIELDS}): only what
 * analytics needs (the selected item, the budget, ...), never free text a user typed.
 */
@ConfigurationProperties("flowgate.events")
@Validated
record EventsProperties(
        @DefaultValue({"item_id", "budget", "industry", "timeline", "slot"}) @NotEmpty List<String> analyticsFields) {

    static final int MAX_VALUE_LENGTH = 64;

    EventsProperties {
        analyticsFields = List.copyOf(analyticsFields);
    }
}
