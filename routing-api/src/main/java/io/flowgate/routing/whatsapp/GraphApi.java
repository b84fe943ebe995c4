package io.flowgate.routing.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.whatsapp.CloudApiClient.Answer;
import io.flowgate.routing.whatsapp.CloudApiClient.Refused;
import io.flowgate.routing.whatsapp.RetryPolicy.Decision;
import io.flowgate.routing.whatsapp.RetryPolicy.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * The Graph API's management calls (Flows, the business public key, Flow metrics; reference §1.3, §1.8, §1.9),
 * made with {@link CloudApiClient}'s HTTP client and token and retried by the same {@link RetryPolicy} as
 * outgoing messages: rate limits (4, 80007, 130429, a bare 429 …), 5xx and no answer are retried with backoff;
 * anything else ends at once in a {@link GraphApiException} carrying Meta's code and message. Since an
 * operator is waiting on the answer, retries stop when the next delay would pass {@code deadline}.
 *
 * <p>Neither the token nor request bodies are logged; each call is logged at DEBUG with its path and outcome.
 */
@Component
public class GraphApi {

    private static final Logger log = LoggerFactory.getLogger(GraphApi.class);
    private static final Set<Integer> RATE_LIMITS = Set.of(4, 80007, 130429, 131057, 131056, 613);

    private final CloudApiClient client;
    private final RetryPolicy policy;
    private final WhatsAppProperties properties;
    private volatile Duration deadline = Duration.ofSeconds(30);

    GraphApi(CloudApiClient client, WhatsAppProperties properties) {
        this.client = client;
        this.policy = new RetryPolicy(properties);
        this.properties = properties;
    }

    /** How long one call may take with its retries (the admin API's callers wait for it). */
    public void deadline(Duration deadline) {
        this.deadline = deadline;
    }

    /** Whether the access token is set, without which nothing is called. */
    public boolean hasToken() {
        return properties.accessToken() != null;
    }

    /** The phone number id of the WhatsApp settings, or null. */
    public String phoneNumberId() {
        return properties.phoneNumberId();
    }

    public JsonNode get(String pathAndQuery) {
        return call("GET", pathAndQuery, null, null);
    }

    public JsonNode delete(String path) {
        return call("DELETE", path, null, null);
    }

    /** POST with {@code application/x-www-form-urlencoded} fields (empty map: no body). */
    public JsonNode postForm(String path, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return call("POST", path, "application/x-www-form-urlencoded", body.getBytes(StandardCharsets.UTF_8));
    }

    /** POST as {@code multipart/form-data}: {@code fields} as text parts, and one file part if {@code fileField} is not null. */
    public JsonNode postMultipart(String path, Map<String, String> fields, String fileField, String fileName, byte[] file) {
        String boundary = "flowgate-" + UUID.randomUUID();
        StringBuilder head = new StringBuilder();
        fields.forEach((name, value) -> head.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n")
                .append(value).append("\r\n"));
        byte[] body;
        if (fileField == null) {
            body = (head + "--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        } else {
            head.append("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"").append(fileField).append("\"; filename=\"").append(fileName).append("\"\r\n")
                    .append("Content-Type: application/json\r\n\r\n");
            byte[] start = head.toString().getBytes(StandardCharsets.UTF_8);
            byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
            body = new byte[start.length + file.length + end.length];
            System.arraycopy(start, 0, body, 0, start.length);
            System.arraycopy(file, 0, body, start.length, file.length);
            System.arraycopy(end, 0, body, start.length + file.length, end.length);
        }
        return call("POST", path, "multipart/form-data; boundary=" + boundary, body);
    }

    private JsonNode call(String method, String pathAndQuery, String contentType, byte[] body) {
        if (properties.accessToken() == null) {
            throw new GraphApiException(GraphApiException.Kind.NOT_CONFIGURED,
                    "FLOWGATE_ACCESS_TOKEN is not set: Flowgate cannot call the Graph API", 0, null, null, null, null, null, 0);
        }
        long giveUpAt = System.nanoTime() + deadline.toNanos();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = null;
            Answer answer;
            try {
                response = client.exchange(method, pathAndQuery, contentType,
                        body == null ? null : HttpRequest.BodyPublishers.ofByteArray(body)).get();
                answer = response.statusCode() / 100 == 2 ? new CloudApiClient.Accepted(null)
                        : CloudApiClient.answer(response.statusCode(), response.body());
            } catch (ExecutionException e) {
                answer = client.unreachable(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GraphApiException(GraphApiException.Kind.UNAVAILABLE, "interrupted", 0, null, null, null, null, null, attempt);
            }
            String where = method + " " + pathOnly(pathAndQuery);
            if (answer instanceof CloudApiClient.Accepted) {
                log.debug("Graph API {}: HTTP {} after {} attempt(s)", where, response.statusCode(), attempt);
                return CloudApiClient.parse(response.body());
            }
            Decision decision = policy.decide(answer, attempt);
            String summary = CloudApiClient.summary(answer);
            if (decision instanceof Retry retry && retry.counts() && System.nanoTime() + retry.delay().toNanos() < giveUpAt) {
                log.info("Graph API {}: {}; retrying in {} ms (attempt {})", where, summary, retry.delay().toMillis(), attempt);
                try {
                    Thread.sleep(retry.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure(answer, response, where, attempt);
                }
                continue;
            }
            GraphApiException failure = failure(answer, response, where, attempt);
            if (failure.kind() == GraphApiException.Kind.REFUSED) {
                // what was asked was refused: the caller reports it (the admin API's answer, the metrics log)
                log.debug("Graph API {} refused: {}", where, summary);
            } else {
                log.warn("Graph API {} failed after {} attempt(s): {}", where, attempt, summary);
            }
            throw failure;
        }
    }

    private static GraphApiException failure(Answer answer, HttpResponse<String> response, String where, int attempts) {
        if (!(answer instanceof Refused refused)) {
            return new GraphApiException(GraphApiException.Kind.UNAVAILABLE, where + ": " + CloudApiClient.summary(answer),
                    0, null, null, null, null, null, attempts);
        }
        JsonNode error = CloudApiClient.parse(response.body()).path("error");
        Integer code = refused.error().code();
        int status = refused.httpStatus();
        GraphApiException.Kind kind;
        if ((code != null && RATE_LIMITS.contains(code)) || (code == null && status == 429)) {
            kind = GraphApiException.Kind.RATE_LIMITED;
        } else if ((code != null && (code == 0 || code == 3 || code == 10 || code == 190 || (code >= 200 && code <= 299)))
                || status == 401 || status == 403) {
            kind = GraphApiException.Kind.CREDENTIALS;
        } else if (status >= 500 || (code != null && code == 2)) {
            kind = GraphApiException.Kind.UNAVAILABLE;
        } else {
            kind = GraphApiException.Kind.REFUSED;
        }
        return new GraphApiException(kind, where + ": HTTP " + status + (refused.error().describe() == null ? "" : ": " + refused.error().describe()),
                status, code, refused.error().message(), text(error.path("error_user_title")), text(error.path("error_user_msg")),
                refused.error().fbtraceId(), attempts);
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    /** The path without its query, for logs (a query may hold a since/until, never a secret, but is long). */
    private static String pathOnly(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }
}
