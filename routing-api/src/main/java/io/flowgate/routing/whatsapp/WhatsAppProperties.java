package io.flowgate.routing.whatsapp;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * How routing-api sends messages through the WhatsApp Cloud API (environment variables in parentheses).
 * Without an access token and a phone number id nothing is sent: messages wait in the queue until both
 * are configured.
 *
 * @param graphApiUrl       the Graph API ({@code FLOWGATE_GRAPH_API_URL}, default {@code https://graph.facebook.com})
 * @param apiVersion        the Graph API version in the path ({@code FLOWGATE_GRAPH_API_VERSION}, default {@code v23.0})
 * @param accessToken       the system-user or business token ({@code FLOWGATE_ACCESS_TOKEN}); never logged
 * @param phoneNumberId     the business phone number's id ({@code FLOWGATE_PHONE_NUMBER_ID})
 * @param perUserInterval   at most one message per user in this time, Meta's pair rate limit
 *                          ({@code FLOWGATE_WHATSAPP_PER_USER_INTERVAL}, default 6 s)
 * @param maxPerSecond      messages per second for the number, all instances together
 *                          ({@code FLOWGATE_WHATSAPP_MAX_PER_SECOND}, default 80)
 * @param maxAttempts       attempts of a message before it is marked failed ({@code FLOWGATE_WHATSAPP_MAX_ATTEMPTS}, default 8)
 * @param requestTimeout    how long one call to the Cloud API may take ({@code FLOWGATE_WHATSAPP_REQUEST_TIMEOUT}, default 10 s)
 * @param retryBackoff      the first retry's delay, doubled for each further attempt, with jitter
 *                          ({@code FLOWGATE_WHATSAPP_RETRY_BACKOFF}, default 2 s)
 * @param maxBackoff        the longest delay between two attempts ({@code FLOWGATE_WHATSAPP_MAX_BACKOFF}, default 5 min);
 *                          not applied to Meta's own 4^X rule for the pair rate limit
 * @param pairLimitBackoff  the unit of Meta's rule for error 131056, retry after 4^X of it
 *                          ({@code FLOWGATE_WHATSAPP_PAIR_LIMIT_BACKOFF}, default 1 s, as Meta says)
 * @param pollInterval      how often each instance looks for due messages when nothing woke it
 *                          ({@code FLOWGATE_WHATSAPP_POLL_INTERVAL}, default 200 ms)
 * @param maxInFlight       calls to the Cloud API one instance has open at once ({@code FLOWGATE_WHATSAPP_MAX_IN_FLIGHT}, default 32)
 */
@ConfigurationProperties("flowgate.whatsapp")
@Validated
record WhatsAppProperties(
        @DefaultValue("https://graph.facebook.com") @NotBlank @Pattern(regexp = "https?://\\S+", message = "must be an http(s) URL") String graphApiUrl,
        @DefaultValue("v23.0") @NotBlank String apiVersion,
        String accessToken,
        String phoneNumberId,
        @DefaultValue("6s") @DurationMin(millis = 0) Duration perUserInterval,
        @DefaultValue("80") @Min(1) int maxPerSecond,
        @DefaultValue("8") @Min(1) @Max(MAX_ATTEMPTS_LIMIT) int maxAttempts,
        @DefaultValue("10s") @DurationMin(millis = 1) Duration requestTimeout,
        @DefaultValue("2s") @DurationMin(millis = 1) Duration retryBackoff,
        @DefaultValue("5m") @DurationMin(millis = 1) Duration maxBackoff,
        @DefaultValue("1s") @DurationMin(millis = 1) Duration pairLimitBackoff,
        @DefaultValue("200ms") @DurationMin(millis = 1) Duration pollInterval,
        @DefaultValue("32") @Min(1) @Max(MAX_IN_FLIGHT_LIMIT) int maxInFlight) {

    static final int MAX_ATTEMPTS_LIMIT = 100;
    static final int MAX_IN_FLIGHT_LIMIT = 1_000;

    WhatsAppProperties {
        graphApiUrl = graphApiUrl == null ? null : stripTrailingSlash(graphApiUrl.trim());
        apiVersion = apiVersion == null ? null : apiVersion.trim();
        accessToken = blank(accessToken) ? null : accessToken.trim();
        phoneNumberId = blank(phoneNumberId) ? null : phoneNumberId.trim();
    }

    /** Whether both credentials are set, without which nothing is sent. */
    boolean isConfigured() {
        return accessToken != null && phoneNumberId != null;
    }

    /**
     * How long a claimed message is reserved for the instance sending it: its call to the Cloud API, and
     * the recording of the outcome with retries, fit well inside. Only when an instance dies mid-send does
     * another one send the message again, after this time.
     */
    Duration claimLease() {
        return requestTimeout.multipliedBy(2).plus(Duration.ofSeconds(60));
    }

    // a record's default toString would print the access token
    @Override
    public String toString() {
        return "WhatsAppProperties[graphApiUrl=" + graphApiUrl + ", apiVersion=" + apiVersion
                + ", accessToken=" + (accessToken == null ? "unset" : "set") + ", phoneNumberId=" + phoneNumberId
                + ", perUserInterval=" + perUserInterval + ", maxPerSecond=" + maxPerSecond + ", maxAttempts=" + maxAttempts
                + ", requestTimeout=" + requestTimeout + ", retryBackoff=" + retryBackoff + ", maxBackoff=" + maxBackoff
                + ", pairLimitBackoff=" + pairLimitBackoff + ", pollInterval=" + pollInterval + ", maxInFlight=" + maxInFlight + "]";
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
