package io.flowgate.routing.system;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The admin API's bearer token ({@code FLOWGATE_ADMIN_TOKEN}) and, while clients move to a new one, the
 * token it replaces ({@code FLOWGATE_PREVIOUS_ADMIN_TOKEN}). Without a token the admin API is closed.
 */
@ConfigurationProperties("flowgate.admin")
public record AdminProperties(String token, String previousToken) {

    public boolean isOpen() {
        return token != null && !token.isBlank();
    }

    boolean hasPreviousToken() {
        return isOpen() && previousToken != null && !previousToken.isBlank();
    }
}
