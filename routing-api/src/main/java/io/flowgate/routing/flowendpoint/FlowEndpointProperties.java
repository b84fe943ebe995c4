package io.flowgate.routing.flowendpoint;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Flow data endpoint's settings (environment variables in parentheses):
 *
 * @param privateKey                   path of the RSA private key PEM ({@code FLOWGATE_PRIVATE_KEY}); required
 * @param privateKeyPassphrase         its passphrase ({@code FLOWGATE_PRIVATE_KEY_PASSPHRASE})
 * @param previousPrivateKey           the key still accepted during a rotation ({@code FLOWGATE_PREVIOUS_PRIVATE_KEY})
 * @param previousPrivateKeyPassphrase its passphrase
 * @param appSecret                    Meta app secret for {@code X-Hub-Signature-256} ({@code FLOWGATE_APP_SECRET})
 * @param previousAppSecret            the app secret still accepted during a rotation
 * @param maxBodyBytes                 larger request bodies are answered 413 (default 1 MiB)
 * @param maxInFlight                  requests processed at once; more are answered 503 at once (default 64). Tomcat's
 *                                     worker threads ({@code server.tomcat.threads.max}, {@code FLOWGATE_HTTP_THREADS}) must
 *                                     exceed it by {@value #HTTP_THREADS_HEADROOM}, or the requests beyond the limit would
 *                                     wait in Tomcat's queue instead of being refused ({@code FlowEndpointController})
 * @param plaintextInvalidTokenBody    answer 427 with a plaintext JSON body instead of an encrypted one
 * @param invalidTokenMessage          the {@code error_msg} a user sees for an expired or used token
 */
@ConfigurationProperties("flowgate.endpoint")
@Validated
public record FlowEndpointProperties(
        String privateKey,
        String privateKeyPassphrase,
        String previousPrivateKey,
        String previousPrivateKeyPassphrase,
        String appSecret,
        String previousAppSecret,
        @DefaultValue("1048576") @Min(1024) int maxBodyBytes,
        @DefaultValue("64") @Min(1) int maxInFlight,
        @DefaultValue("false") boolean plaintextInvalidTokenBody,
        @DefaultValue("This form is no longer available. Please ask us for a new one.") @NotBlank String invalidTokenMessage) {

    /** Threads beyond the in-flight limit: for the 503s themselves, the admin API and the health probes. */
    static final int HTTP_THREADS_HEADROOM = 16;

    @Override
    public String toString() {
        // never print secrets, even by accident in a debug log
        return "FlowEndpointProperties[privateKey=" + privateKey + ", previousPrivateKey=" + previousPrivateKey
                + ", appSecret=" + (appSecret == null || appSecret.isBlank() ? "unset" : "set")
                + ", maxBodyBytes=" + maxBodyBytes + ", maxInFlight=" + maxInFlight + "]";
    }
}
