package io.flowgate.routing.meta;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The Flow lifecycle with Meta (docs/meta-lifecycle.md). The Graph API URL, version, access token and phone
 * number id are the WhatsApp settings ({@code FLOWGATE_GRAPH_API_URL}, {@code FLOWGATE_GRAPH_API_VERSION},
 * {@code FLOWGATE_ACCESS_TOKEN}, {@code FLOWGATE_PHONE_NUMBER_ID}); these are the rest (environment variables
 * in parentheses, mapped in {@code RoutingEnvironment}):
 *
 * @param wabaId             the WhatsApp Business Account id, where Flows are created ({@code FLOWGATE_WABA_ID}; empty: unset)
 * @param metricsInterval    how often Meta's Flow metrics are read for every Flow at Meta
 *                           ({@code FLOWGATE_META_METRICS_INTERVAL}, default 1 h; 0 turns the reading off; it is
 *                           off anyway without an access token)
 * @param metricsGranularity the granularity asked for, DAY or HOUR ({@code FLOWGATE_META_METRICS_GRANULARITY}, default DAY)
 * @param metricsLookback    how far back each reading asks ({@code FLOWGATE_META_METRICS_LOOKBACK}, default 2 days:
 *                           Meta's figures arrive up to a few hours late)
 * @param callDeadline       how long one admin call may wait for Meta, retries included
 *                           ({@code FLOWGATE_META_CALL_DEADLINE}, default 30 s)
 */
@Validated
@ConfigurationProperties("flowgate.meta")
public record MetaProperties(
        @Pattern(regexp = "[0-9]{0,32}", message = "must be Meta's numeric WABA id") String wabaId,
        @NotNull @DefaultValue("1h") Duration metricsInterval,
        @NotNull @Pattern(regexp = "DAY|HOUR") @DefaultValue("DAY") String metricsGranularity,
        @NotNull @DefaultValue("2d") Duration metricsLookback,
        @NotNull @DefaultValue("30s") Duration callDeadline) {

    /** The WABA id, or null when it is not set. */
    public String wabaIdOrNull() {
        return wabaId == null || wabaId.isBlank() ? null : wabaId;
    }
}
