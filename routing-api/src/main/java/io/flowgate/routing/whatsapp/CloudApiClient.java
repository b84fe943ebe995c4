package io.flowgate.routing.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.meta.Masked;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;

/**
 * The WhatsApp Cloud API's send call (reference §2.4): {@code POST {graph}/{version}/{phone number id}/messages}
 * with the bearer token, the queued body plus {@code messaging_product}, {@code recipient_type} and {@code to}.
 * Every call ends in one {@link Answer} (accepted with its wamid, refused with Meta's error object, or
 * unreachable), never in an exception, so that the sender decides about retries in one place.
 *
 * <p>Personal data and secrets stay out of logs: the token and the message are never logged, the
 * recipient only masked. Answers are read up to {@link #MAX_ANSWER_BYTES}; redirects are not followed,
 * so the token is only ever sent to the configured host.
 */
@Component
class CloudApiClient implements DisposableBean {

    static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final int MAX_ERROR_CHARS = 500;
    private static final Logger log = LoggerFactory.getLogger(CloudApiClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What became of one call. */
    sealed interface Answer permits Accepted, Refused, Unreachable {
    }

    /** 2xx: Meta took the message; {@code wamid} is its id (null in the unlikely case the answer lacks it). */
    record Accepted(String wamid) implements Answer {
    }

    /** An HTTP error status with Meta's error object, as far as the answer had one. */
    record Refused(int httpStatus, GraphError error) implements Answer {
    }

    /** No answer: refused connection, timeout, broken stream. Meta may or may not have taken the message. */
    record Unreachable(String reason) implements Answer {
    }

    /**
     * Meta's error object {@code {"error": {code, message, error_data: {details}, fbtrace_id}}}; {@code code}
     * is null when the answer was not one (a proxy's HTML page, an empty body).
     */
    record GraphError(Integer code, String message, String details, String fbtraceId) {

        /**
         * One line for the table and the logs: code, message, details, trace id; phone numbers masked.
         * Null when the answer carried no error object.
         */
        String describe() {
            if (code == null && message == null) {
                return null;
            }
            StringBuilder s = new StringBuilder();
            if (code != null) {
                s.append(code).append(' ');
            }
            s.append(message == null ? "no error message" : message);
            if (details != null && !details.isBlank() && !details.equals(message)) {
                s.append(": ").append(details);
            }
            if (fbtraceId != null) {
                s.append(" (fbtrace_id ").append(fbtraceId).append(')');
            }
            String line = Masked.text(s.toString());
            return line.length() <= MAX_ERROR_CHARS ? line : line.substring(0, MAX_ERROR_CHARS);
        }
    }

    private final WhatsAppProperties properties;
    private final ExecutorService executor;
    private final HttpClient http;
    private final URI messagesUri;

    CloudApiClient(WhatsAppProperties properties) {
        this.properties = properties;
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread t = new Thread(runnable, "flowgate-cloud-api");
            t.setDaemon(true);
            return t;
        });
        this.messagesUri = URI.create(properties.graphApiUrl() + "/" + properties.apiVersion() + "/"
                + (properties.phoneNumberId() == null ? "-" : properties.phoneNumberId()) + "/messages");
        if (properties.accessToken() != null) {
            try {
                HttpRequest.newBuilder(messagesUri).header("Authorization", "Bearer " + properties.accessToken());
            } catch (IllegalArgumentException invalid) {
                // without the cause: its message could quote the token
                throw new IllegalStateException("FLOWGATE_ACCESS_TOKEN cannot be sent as an HTTP header (control characters?)");
            }
        }
        this.http = HttpClient.newBuilder()
                // HTTP/2 multiplexes the sender's concurrent calls over one TLS connection; over plain http
                // (a local stand-in) the h2c upgrade buys nothing
                .version("https".equalsIgnoreCase(messagesUri.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }

    /**
     * Sends one message.
     *
     * @param to      the recipient's WhatsApp id
     * @param payload the queued body, a JSON object without {@code messaging_product}, {@code recipient_type}, {@code to}
     * @return the answer; the future never completes exceptionally
     * @throws IllegalArgumentException when {@code payload} is not a JSON object (nothing is sent)
     */
    CompletableFuture<Answer> send(String to, String payload) {
        String body = body(to, payload);
        HttpRequest request = HttpRequest.newBuilder(messagesUri)
                .timeout(properties.requestTimeout())
                .header("Authorization", "Bearer " + properties.accessToken())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        // the request timeout covers the wait for the answer's headers; this bounds the whole exchange
        Duration hardLimit = properties.requestTimeout().plusSeconds(1);
        return http.sendAsync(request, info -> boundedString())
                .orTimeout(hardLimit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    Answer answer = failure == null ? answer(response.statusCode(), response.body()) : unreachable(failure);
                    if (log.isDebugEnabled()) {
                        log.debug("Cloud API send to {}: {}", Masked.id(to), summary(answer));
                    }
                    return answer;
                });
    }

    /**
     * One management call to the Graph API (Flows, business key, metrics: {@link GraphApi}) with the same
     * client, token and bounds as {@link #send}: {@code pathAndQuery} is relative to the version, e.g.
     * {@code 123/flows}. The future completes with the status and body (bounded), or exceptionally when
     * there was no answer (see {@link #unreachable}).
     */
    CompletableFuture<HttpResponse<String>> exchange(String method, String pathAndQuery, String contentType,
                                                     HttpRequest.BodyPublisher body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(properties.graphApiUrl() + "/" + properties.apiVersion()
                        + "/" + pathAndQuery))
                .timeout(properties.requestTimeout())
                .header("Authorization", "Bearer " + properties.accessToken())
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.sendAsync(request.build(), info -> boundedString())
                .orTimeout(properties.requestTimeout().plusSeconds(1).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The answer in one line fit for a log or the table: no message text, phone numbers masked. */
    static String summary(Answer answer) {
        if (answer instanceof Accepted) {
            return "accepted";
        }
        if (answer instanceof Refused refused) {
            String error = refused.error().describe();
            return "HTTP " + refused.httpStatus() + (error == null ? "" : ": " + error);
        }
        return ((Unreachable) answer).reason();
    }

    static String body(String to, String payload) {
        JsonNode message;
        try {
            message = JSON.readTree(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("the queued message is not JSON", e);
        }
        if (!(message instanceof ObjectNode fields)) {
            throw new IllegalArgumentException("the queued message is not a JSON object");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("messaging_product", "whatsapp");
        body.put("recipient_type", "individual");
        body.put("to", to);
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!body.has(field.getKey())) {
                body.set(field.getKey(), field.getValue());
            }
        }
        return body.toString();
    }

    static Answer answer(int status, String body) {
        JsonNode json = parse(body);
        if (status >= 200 && status < 300) {
            JsonNode id = json.path("messages").path(0).path("id");
            return new Accepted(id.isTextual() ? id.asText() : null);
        }
        JsonNode error = json.path("error");
        JsonNode code = error.path("code");
        return new Refused(status, new GraphError(
                code.canConvertToInt() ? code.asInt() : null,
                error.path("message").isTextual() ? error.path("message").asText() : null,
                error.path("error_data").path("details").isTextual() ? error.path("error_data").path("details").asText() : null,
                error.path("fbtrace_id").isTextual() ? error.path("fbtrace_id").asText() : null));
    }

    Answer unreachable(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return new Unreachable("no answer within " + properties.requestTimeout().toMillis() + " ms");
        }
        if (cause instanceof ConnectException) {
            return new Unreachable("cannot connect to " + messagesUri.getHost());
        }
        return new Unreachable(cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + Masked.text(cause.getMessage())));
    }

    /** The answer's JSON, or a missing node when it has none. */
    static JsonNode parse(String body) {
        try {
            JsonNode json = body == null || body.isBlank() ? null : JSON.readTree(body);
            return json == null ? JSON.missingNode() : json;
        } catch (IOException notJson) {
            return JSON.missingNode();
        }
    }

    /** The answer as text, at most {@link #MAX_ANSWER_BYTES} of it: a misbehaving server cannot fill the memory. */
    private static HttpResponse.BodySubscriber<String> boundedString() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return HttpResponse.BodySubscribers.mapping(
                HttpResponse.BodySubscribers.ofByteArrayConsumer(chunk -> chunk.ifPresent(bytes -> {
                    int room = MAX_ANSWER_BYTES - out.size();
                    if (room > 0) {
                        out.write(bytes, 0, Math.min(room, bytes.length));
                    }
                })),
                done -> out.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
