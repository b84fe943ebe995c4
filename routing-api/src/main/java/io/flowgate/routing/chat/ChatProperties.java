package io.flowgate.routing.chat;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Settings of the lead-qualification chat (environment variables in parentheses; README, "Configuration").
 *
 * @param defaultMachine          the machine a user who writes in for the first time is qualified by
 *                                ({@code FLOWGATE_CHAT_DEFAULT_MACHINE}, default {@code lead_qualification},
 *                                the shipped example)
 * @param coldAfter               an active lead that has not written for this long is marked cold
 *                                ({@code FLOWGATE_CHAT_COLD_AFTER}, default 24 h)
 * @param housekeepingInterval    how often the cold sweep and the pruning run
 *                                ({@code FLOWGATE_CHAT_HOUSEKEEPING_INTERVAL}, default 1 min)
 * @param dedupRetention          how long processed message ids and delivery statuses are kept
 *                                ({@code FLOWGATE_CHAT_DEDUP_RETENTION}, default 14 days: Meta redelivers for
 *                                up to 7; an older redelivery is still refused, as older than the last message)
 * @param reengagementTemplate    the approved template sent once to a lead whose conversation went stale
 *                                ({@code FLOWGATE_CHAT_REENGAGEMENT_TEMPLATE}, default {@code lead_reengagement});
 *                                a template, because the 24-hour service window may have closed
 * @param reengagementLanguage    its language code ({@code FLOWGATE_CHAT_REENGAGEMENT_LANGUAGE}, default {@code en})
 * @param consumerGroup           Kafka consumer group of the chat consumer
 *                                ({@code FLOWGATE_CHAT_CONSUMER_GROUP}, default {@code flowgate-routing-chat})
 */
@ConfigurationProperties("flowgate.chat")
record ChatProperties(
        String defaultMachine,
        Duration coldAfter,
        Duration housekeepingInterval,
        Duration dedupRetention,
        String reengagementTemplate,
        String reengagementLanguage,
        String consumerGroup) {

    static final String EXAMPLE_MACHINE = "lead_qualification";

    ChatProperties {
        defaultMachine = orDefault(defaultMachine, EXAMPLE_MACHINE);
        coldAfter = positiveOr(coldAfter, Duration.ofHours(24));
        housekeepingInterval = positiveOr(housekeepingInterval, Duration.ofMinutes(1));
        dedupRetention = positiveOr(dedupRetention, Duration.ofDays(14));
        reengagementTemplate = orDefault(reengagementTemplate, "lead_reengagement");
        reengagementLanguage = orDefault(reengagementLanguage, "en");
        consumerGroup = orDefault(consumerGroup, "flowgate-routing-chat");
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static Duration positiveOr(Duration value, Duration fallback) {
        return value == null || value.isNegative() || value.isZero() ? fallback : value;
    }
}
