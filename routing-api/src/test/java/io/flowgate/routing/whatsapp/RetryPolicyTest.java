package io.flowgate.routing.whatsapp;

import io.flowgate.routing.whatsapp.CloudApiClient.Accepted;
import io.flowgate.routing.whatsapp.CloudApiClient.GraphError;
import io.flowgate.routing.whatsapp.CloudApiClient.Refused;
import io.flowgate.routing.whatsapp.CloudApiClient.Unreachable;
import io.flowgate.routing.whatsapp.RetryPolicy.Decision;
import io.flowgate.routing.whatsapp.RetryPolicy.Fail;
import io.flowgate.routing.whatsapp.RetryPolicy.Retry;
import io.flowgate.routing.whatsapp.RetryPolicy.Sent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.flowgate.routing.support.Settings;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which Cloud API answers are retried, how long after, and which fail at once (reference §2.5). */
class RetryPolicyTest {

    private static final WhatsAppProperties PROPERTIES = Settings.bind(WhatsAppProperties.class, "flowgate.whatsapp",
            Map.of("flowgate.whatsapp.access-token", "token", "flowgate.whatsapp.phone-number-id", "1065",
                    "flowgate.whatsapp.max-attempts", 4, "flowgate.whatsapp.retry-backoff", "100ms",
                    "flowgate.whatsapp.max-backoff", "1s", "flowgate.whatsapp.pair-limit-backoff", "1s"));
    private final RetryPolicy policy = new RetryPolicy(PROPERTIES);

    @Test
    void acceptedMessageIsSentWithItsWamid() {
        assertThat(policy.decide(new Accepted("wamid.1"), 1)).isEqualTo(new Sent("wamid.1"));
    }

    @ParameterizedTest
    @ValueSource(ints = {131047, 131026, 100, 131048, 131051, 132001, 368})
    void permanentErrorsFailAtOnce(int code) {
        Decision decision = policy.decide(refused(400, code), 1);

        assertThat(decision).isInstanceOf(Fail.class);
        assertThat(((Fail) decision).code()).isEqualTo(code);
        assertThat(((Fail) decision).metricCode()).isEqualTo(String.valueOf(code));
        assertThat(((Fail) decision).error()).contains(String.valueOf(code));
    }

    @Test
    void serverErrorsAndMissingAnswersAreRetriedUntilTheAttemptsAreUsedUp() {
        for (var answer : new CloudApiClient.Answer[]{refused(500, 131000), refused(503, null), new Unreachable("no answer within 10000 ms")}) {
            for (int attempt = 1; attempt < PROPERTIES.maxAttempts(); attempt++) {
                Decision decision = policy.decide(answer, attempt);
                assertThat(decision).as("%s, attempt %d", answer, attempt).isInstanceOf(Retry.class);
                assertThat(((Retry) decision).counts()).isTrue();
                assertThat(((Retry) decision).pauseAll()).isZero();
            }
            Decision last = policy.decide(answer, PROPERTIES.maxAttempts());
            assertThat(last).isInstanceOf(Fail.class);
            assertThat(((Fail) last).error()).startsWith("gave up after 4 attempt(s)");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {130429, 131057, 4, 80007})
    void throughputLimitsRetryAndPauseEverySender(int code) {
        Decision decision = policy.decide(refused(400, code), 2);

        assertThat(decision).isInstanceOf(Retry.class);
        Retry retry = (Retry) decision;
        assertThat(retry.pauseAll()).isEqualTo(retry.delay()).isPositive();
        assertThat(retry.code()).isEqualTo(code);
    }

    @Test
    void bareTooManyRequestsIsAThroughputLimit() {
        assertThat(policy.decide(refused(429, null), 1)).isInstanceOfSatisfying(Retry.class,
                retry -> assertThat(retry.pauseAll()).isPositive());
    }

    @Test
    void pairRateLimitWaitsFourToTheXUnitsPerEarlierAttempt() {
        for (int attempt = 1; attempt <= 3; attempt++) {
            long unit = PROPERTIES.pairLimitBackoff().toMillis() << (2 * (attempt - 1)); // 1, 4, 16 units
            for (int sample = 0; sample < 50; sample++) {
                Retry retry = (Retry) policy.decide(refused(400, 131056), attempt);
                assertThat(retry.delay().toMillis()).as("attempt %d", attempt).isBetween(unit, unit + unit / 4);
                assertThat(retry.pauseAll()).as("only this user is limited").isZero();
            }
        }
    }

    @Test
    void refusedTokenPausesEverySenderWithoutUsingUpAnAttempt() {
        for (var answer : new CloudApiClient.Answer[]{refused(401, 190), refused(401, null), refused(403, 10), refused(403, 200)}) {
            Decision decision = policy.decide(answer, PROPERTIES.maxAttempts());
            assertThat(decision).as("%s", answer).isInstanceOf(Retry.class);
            assertThat(((Retry) decision).counts()).isFalse();
            assertThat(((Retry) decision).pauseAll()).isEqualTo(PROPERTIES.maxBackoff());
        }
    }

    @Test
    void backoffDoublesPerAttemptWithJitterUpToTheCap() {
        for (int sample = 0; sample < 50; sample++) {
            assertThat(policy.backoff(1).toMillis()).isBetween(50L, 100L);
            assertThat(policy.backoff(2).toMillis()).isBetween(100L, 200L);
            assertThat(policy.backoff(4).toMillis()).isBetween(400L, 800L);
            assertThat(policy.backoff(5).toMillis()).isBetween(500L, 1000L);
            assertThat(policy.backoff(60).toMillis()).isBetween(500L, 1000L);
        }
    }

    private static Refused refused(int status, Integer code) {
        return new Refused(status, new GraphError(code, code == null ? null : "(#" + code + ") refused", null, "trace"));
    }
}
