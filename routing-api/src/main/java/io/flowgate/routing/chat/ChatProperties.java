package io.flowgate.routing.chat;

import jakarta.validation.constraints.NotBlank;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

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
@Validated
public record ChatProperties(
        @DefaultValue(ChatProperties.EXAMPLE_MACHINE) @NotBlank String defaultMachine,
        @DefaultValue("24h") @DurationMin(seconds = 1) Duration coldAfter,
        @DefaultValue("1m") @DurationMin(millis = 10) Duration housekeepingInterval,
        @DefaultValue("14d") @DurationMin(seconds = 1) Duration dedupRetention,
        @DefaultValue("lead_reengagement") @NotBlank String reengagementTemplate,
        @DefaultValue("en") @NotBlank String reengagementLanguage,
        @DefaultValue("flowgate-routing-chat") @NotBlank String consumerGroup) {

    public static final String EXAMPLE_MACHINE = "lead_qualification";
}
