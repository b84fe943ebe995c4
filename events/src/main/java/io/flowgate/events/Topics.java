package io.flowgate.events;

import java.util.List;

/** The Kafka topic names: part of the product's interface (see PRODUCT.md), change only with a migration note. */
public final class Topics {
    public static final String TRANSITIONS = "flowgate.transitions";
    public static final String INBOUND = "flowgate.inbound";
    public static final String INBOUND_DEAD_LETTER = "flowgate.inbound.dead-letter";
    public static final String LEAD_UPDATES = "flowgate.lead-updates";
    public static final String STALE_SESSIONS = "flowgate.stale-sessions";
    public static final String ALERTS = "flowgate.alerts";

    public static final List<String> ALL =
            List.of(TRANSITIONS, INBOUND, INBOUND_DEAD_LETTER, LEAD_UPDATES, STALE_SESSIONS, ALERTS);

    private Topics() {
    }
}
