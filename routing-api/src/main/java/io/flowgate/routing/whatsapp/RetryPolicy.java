package io.flowgate.routing.whatsapp;

import io.flowgate.routing.whatsapp.CloudApiClient.Accepted;
import io.flowgate.routing.whatsapp.CloudApiClient.Answer;
import io.flowgate.routing.whatsapp.CloudApiClient.Refused;
import io.flowgate.routing.whatsapp.CloudApiClient.Unreachable;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What to do after one call to the Cloud API (reference §2.5), in one place: record the message sent,
 * try again later, or give up. Meta says to build on the error {@code code}, so codes decide before
 * HTTP statuses do.
 *
 * <ul>
 *   <li>5xx, code 2 and no answer at all: retry with exponential backoff and jitter.</li>
 *   <li>Throughput limits of the number, app or account (130429, 131057, 4, 80007, a bare 429): retry, and
 *       pause every sender for the same time, since every other message would hit the same limit.</li>
 *   <li>The pair rate limit (131056): retry after 4^X units, Meta's rule, X counting the earlier attempts.</li>
 *   <li>Token or permission refused (0, 3, 10, 190, 200–299, HTTP 401): the configuration is wrong, not the
 *       message; pause every sender and try again without using up an attempt, as when no token is set.</li>
 *   <li>Anything else, e.g. 131047 (outside the 24-hour window), 131026 (undeliverable), 100 (invalid
 *       parameter), 131048 (spam rate limit: Meta asks not to insist): failed at once.</li>
 * </ul>
 * Retries end after {@code max-attempts}: the message is then failed with the last error.
 */
final class RetryPolicy {

    static final int PAIR_RATE_LIMIT = 131056;
    private static final Set<Integer> THROUGHPUT_LIMITS = Set.of(130429, 131057, 4, 80007);
    private static final Set<Integer> CREDENTIALS_REFUSED = Set.of(0, 3, 10, 190);
    private static final int API_SERVICE_DOWN = 2;
    private static final Duration CREDENTIALS_PAUSE = Duration.ofMinutes(1);
    /** 4^15 units is already days: beyond it the exponent would only overflow. */
    private static final int MAX_PAIR_EXPONENT = 15;

    /** The outcome of one attempt. */
    sealed interface Decision permits Sent, Retry, Fail {
    }

    record Sent(String wamid) implements Decision {
    }

    /**
     * Try again after {@code delay}; {@code pauseAll} (zero for none) holds every sender; an attempt that
     * does not {@code count} is given back to the message.
     */
    record Retry(Duration delay, Duration pauseAll, boolean counts, Integer code, String error) implements Decision {
    }

    /** Failed for good; {@code metricCode} names the cause in the failure metric. */
    record Fail(Integer code, String metricCode, String error) implements Decision {
    }

    private final WhatsAppProperties properties;

    RetryPolicy(WhatsAppProperties properties) {
        this.properties = properties;
    }

    /**
     * @param answer  what the Cloud API answered
     * @param attempt which attempt this was, the first being 1
     */
    Decision decide(Answer answer, int attempt) {
        if (answer instanceof Accepted accepted) {
            return new Sent(accepted.wamid());
        }
        String error = CloudApiClient.summary(answer);
        if (answer instanceof Unreachable) {
            return retryOrGiveUp(attempt, backoff(attempt), Duration.ZERO, null, "unreachable", error);
        }
        Refused refused = (Refused) answer;
        Integer code = refused.error().code();
        int status = refused.httpStatus();
        String metricCode = code != null ? String.valueOf(code) : "http_" + status;
        if (code != null && code == PAIR_RATE_LIMIT) {
            return retryOrGiveUp(attempt, pairBackoff(attempt), Duration.ZERO, code, metricCode, error);
        }
        if ((code != null && THROUGHPUT_LIMITS.contains(code)) || (code == null && status == 429)) {
            Duration delay = backoff(attempt);
            return retryOrGiveUp(attempt, delay, delay, code, metricCode, error);
        }
        if ((code != null && (CREDENTIALS_REFUSED.contains(code) || (code >= 200 && code <= 299))) || status == 401) {
            Duration pause = min(CREDENTIALS_PAUSE, properties.maxBackoff());
            return new Retry(pause, pause, false, code, error);
        }
        if (status >= 500 || (code != null && code == API_SERVICE_DOWN)) {
            return retryOrGiveUp(attempt, backoff(attempt), Duration.ZERO, code, metricCode, error);
        }
        return new Fail(code, metricCode, error);
    }

    private Decision retryOrGiveUp(int attempt, Duration delay, Duration pauseAll, Integer code, String metricCode, String error) {
        if (attempt >= properties.maxAttempts()) {
            return new Fail(code, metricCode, "gave up after " + attempt + " attempt(s): " + error);
        }
        return new Retry(delay, pauseAll, true, code, error);
    }

    /** retry-backoff doubled per earlier attempt, at most max-backoff, drawn from its upper half (jitter). */
    Duration backoff(int attempt) {
        long base = properties.retryBackoff().toMillis();
        long cap = properties.maxBackoff().toMillis();
        // 2^30 times any sensible first delay is far beyond any sensible cap, and still fits a long
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        long full = Math.max(1, Math.min(cap, base << doublings));
        // spreads the retries of a burst that failed together, so they do not all come back at once
        return Duration.ofMillis(full / 2 + ThreadLocalRandom.current().nextLong(full - full / 2 + 1));
    }

    /** Meta's rule for 131056: 4^X units, X the number of earlier attempts, plus up to a quarter of jitter. */
    Duration pairBackoff(int attempt) {
        int exponent = Math.min(Math.max(attempt - 1, 0), MAX_PAIR_EXPONENT);
        long millis = properties.pairLimitBackoff().toMillis() * (1L << (2 * exponent));
        return Duration.ofMillis(millis + ThreadLocalRandom.current().nextLong(millis / 4 + 1));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
