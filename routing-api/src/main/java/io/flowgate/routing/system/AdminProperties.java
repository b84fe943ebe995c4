package io.flowgate.routing.system;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The admin API's bearer token ({@code FLOWGATE_ADMIN_TOKEN}). Without one the admin API is closed.
 */
@ConfigurationProperties("flowgate.admin")
public record AdminProperties(String token) {

    public boolean isOpen() {
        return token != null && !token.isBlank();
    }
}
