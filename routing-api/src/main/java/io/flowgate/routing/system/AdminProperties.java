package io.flowgate.routing.system;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The admin API's settings (environment variables in parentheses):
 *
 * @param token            the bearer token ({@code FLOWGATE_ADMIN_TOKEN}); without it the admin API is closed
 * @param previousToken    while clients move to a new token, the one it replaces ({@code FLOWGATE_PREVIOUS_ADMIN_TOKEN})
 * @param maxBodyBytes     the largest request body of every admin route ({@code FLOWGATE_ADMIN_MAX_BODY_BYTES}); a
 *                         larger one is answered 413 before any controller reads it ({@link AdminBodyLimit})
 * @param maxFlowJsonBytes the largest Flow JSON upload ({@code FLOWGATE_FLOW_JSON_MAX_BYTES}), Meta's own 10 MB limit:
 *                         the one route allowed more than {@code maxBodyBytes} ({@link AdminBodyLimit#routes})
 */
@ConfigurationProperties("flowgate.admin")
@Validated
public record AdminProperties(
        String token,
        String previousToken,
        @DefaultValue("1048576") @Min(1024) int maxBodyBytes,
        @DefaultValue("10485760") @Min(1024) int maxFlowJsonBytes) {

    public boolean isOpen() {
        return token != null && !token.isBlank();
    }

    boolean hasPreviousToken() {
        return isOpen() && previousToken != null && !previousToken.isBlank();
    }

    @Override
    public String toString() {
        // never print the tokens, even by accident in a debug log
        return "AdminProperties[token=" + (isOpen() ? "set" : "unset") + ", previousToken=" + (hasPreviousToken() ? "set" : "unset")
                + ", maxBodyBytes=" + maxBodyBytes + ", maxFlowJsonBytes=" + maxFlowJsonBytes + "]";
    }
}
