package io.flowgate.routing.sessions;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Flow session settings: how long a minted flow token stays valid ({@code FLOWGATE_FLOW_TOKEN_TTL},
 * default 24 h) and how many screens of history a session keeps for BACK.
 */
@ConfigurationProperties("flowgate.sessions")
@Validated
public record SessionsProperties(
        @DefaultValue("24h") @DurationMin(seconds = 1) Duration tokenTtl,
        @DefaultValue("50") @Min(1) @Max(1000) int maxHistory) {
}
