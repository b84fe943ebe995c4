package io.flowgate.routing.sessions;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Flow session settings: how long a minted flow token stays valid ({@code FLOWGATE_FLOW_TOKEN_TTL},
 * default 24 h) and how many screens of history a session keeps for BACK.
 */
@ConfigurationProperties("flowgate.sessions")
public record SessionsProperties(Duration tokenTtl, int maxHistory) {
    public SessionsProperties {
        if (tokenTtl == null || tokenTtl.isNegative() || tokenTtl.isZero()) {
            tokenTtl = Duration.ofHours(24);
        }
        if (maxHistory <= 0) {
            maxHistory = 50;
        }
    }
}
