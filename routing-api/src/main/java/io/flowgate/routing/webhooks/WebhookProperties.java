package io.flowgate.routing.webhooks;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Settings of the outgoing CRM webhooks (environment variables in parentheses; README, "Configuration";
 * docs/webhooks.md).
 *
 * @param secretKey          base64 of the 32-byte AES key the subscriptions' signing secrets are encrypted
 *                           with ({@code FLOWGATE_WEBHOOK_SECRET_KEY}); blank: subscriptions cannot be created
 *                           and nothing is delivered (the embedded run generates one)
 * @param consumerGroup      Kafka consumer group that turns events into deliveries
 *                           ({@code FLOWGATE_WEBHOOK_CONSUMER_GROUP}, default {@code flowgate-routing-webhooks})
 * @param requestTimeout     how long a receiver may take to answer ({@code FLOWGATE_WEBHOOK_REQUEST_TIMEOUT}, 10 s)
 * @param minBackoff         the first retry's upper bound; it doubles per attempt, with full jitter
 *                           ({@code FLOWGATE_WEBHOOK_MIN_BACKOFF}, 1 s)
 * @param maxBackoff         the largest upper bound of a retry's wait ({@code FLOWGATE_WEBHOOK_MAX_BACKOFF}, 10 min)
 * @param retryFor           how long a delivery is retried before it is dead-lettered
 *                           ({@code FLOWGATE_WEBHOOK_RETRY_FOR}, 24 h)
 * @param pauseAfterFailures consecutive failed attempts (any lead) after which a subscription is paused
 *                           ({@code FLOWGATE_WEBHOOK_PAUSE_AFTER_FAILURES}, 50)
 * @param probeInterval      how often a paused subscription is probed with its oldest delivery; a success
 *                           resumes it ({@code FLOWGATE_WEBHOOK_PROBE_INTERVAL}, 5 min)
 * @param pollInterval       how often the worker looks for due deliveries ({@code FLOWGATE_WEBHOOK_POLL_INTERVAL}, 250 ms)
 * @param maxInFlight        deliveries sent at once by one instance ({@code FLOWGATE_WEBHOOK_MAX_IN_FLIGHT}, 32)
 * @param maxBodyBytes       the largest body sent; a larger one is dead-lettered at once (1 MiB)
 */
@Validated
@ConfigurationProperties("flowgate.webhooks")
public record WebhookProperties(
        String secretKey,
        @DefaultValue("flowgate-routing-webhooks") @NotBlank String consumerGroup,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("1s") Duration minBackoff,
        @DefaultValue("10m") Duration maxBackoff,
        @DefaultValue("24h") Duration retryFor,
        @DefaultValue("50") @Min(1) @Max(100_000) int pauseAfterFailures,
        @DefaultValue("5m") Duration probeInterval,
        @DefaultValue("250ms") Duration pollInterval,
        @DefaultValue("32") @Min(1) @Max(1024) int maxInFlight,
        @DefaultValue("1048576") @Min(1024) @Max(16 * 1024 * 1024) int maxBodyBytes) {

    public WebhookProperties {
        positive("request-timeout", requestTimeout);
        positive("min-backoff", minBackoff);
        positive("max-backoff", maxBackoff);
        positive("retry-for", retryFor);
        positive("probe-interval", probeInterval);
        positive("poll-interval", pollInterval);
        if (maxBackoff.compareTo(minBackoff) < 0) {
            throw new IllegalArgumentException("flowgate.webhooks.max-backoff must not be less than min-backoff");
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("flowgate.webhooks." + name + " must be a positive duration, was " + d);
        }
    }

    boolean hasSecretKey() {
        return secretKey != null && !secretKey.isBlank();
    }
}
