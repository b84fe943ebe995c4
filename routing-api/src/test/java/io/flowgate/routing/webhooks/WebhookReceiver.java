package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A webhook receiver stand-in on a real localhost port (the JDK's HTTP server): it records every request it
 * gets (headers and raw body, whatever it then answers) and answers as its current {@link Behaviour} says:
 * accept, answer 500, hang past Flowgate's timeout, answer slowly, or accept and then hang (so that Flowgate
 * sends the same delivery again: the receiver gets it twice).
 */
final class WebhookReceiver implements AutoCloseable {

    enum Behaviour { ACCEPT, FAIL_500, TIME_OUT, SLOW, ACCEPT_THEN_TIME_OUT }

    /** One request as it arrived. */
    record Received(String query, String id, String timestamp, String signature, byte[] body, JsonNode json, Behaviour answered, java.time.Instant at) {
        String waId() {
            JsonNode lead = json.path("lead").path("wa_id");
            return lead.isMissingNode() ? json.path("properties").path("phone").asText() : lead.asText();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicReference<Function<JsonNode, Behaviour>> behaviour = new AtomicReference<>(body -> Behaviour.ACCEPT);
    private final Duration hang;
    private final Duration slow;

    /** @param hang how long a hanging answer takes (longer than Flowgate's request timeout) */
    WebhookReceiver(Duration hang, Duration slow) {
        this(0, hang, slow);
    }

    /** A receiver on {@code port} (a receiver back up where one was down). */
    static WebhookReceiver onPort(int port, Duration hang, Duration slow) {
        return new WebhookReceiver(port, hang, slow);
    }

    private WebhookReceiver(int port, Duration hang, Duration slow) {
        this.hang = hang;
        this.slow = slow;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "webhook-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://localhost:" + server.getAddress().getPort() + "/hook";
    }

    void behave(Function<JsonNode, Behaviour> decide) {
        behaviour.set(decide);
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests to URLs with this query string. */
    List<Received> received(String query) {
        return received.stream().filter(r -> query.equals(r.query())).toList();
    }

    /** The distinct webhook ids accepted (answered 2xx). */
    java.util.Set<String> acceptedIds() {
        return acceptedIds(null);
    }

    /** The distinct webhook ids accepted (answered 2xx) at URLs with this query string (null: any). */
    java.util.Set<String> acceptedIds(String query) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        received.stream().filter(r -> query == null || query.equals(r.query())).filter(r -> r.answered() == Behaviour.ACCEPT || r.answered() == Behaviour.SLOW
                || r.answered() == Behaviour.ACCEPT_THEN_TIME_OUT).forEach(r -> out.add(r.id()));
        return out;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            JsonNode json = JSON.readTree(body);
            Behaviour b = behaviour.get().apply(json);
            var h = exchange.getRequestHeaders();
            received.add(new Received(exchange.getRequestURI().getRawQuery(), h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
                    h.getFirst("webhook-signature"), body, json, b, java.time.Instant.now()));
            switch (b) {
                case ACCEPT -> answer(exchange, 204);
                case FAIL_500 -> answer(exchange, 500);
                case SLOW -> {
                    sleep(slow);
                    answer(exchange, 200);
                }
                case TIME_OUT, ACCEPT_THEN_TIME_OUT -> {
                    sleep(hang);
                    answer(exchange, 200);
                }
            }
        } catch (IOException e) {
            // Flowgate hung up (its timeout): nothing to answer
        }
    }

    private static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static Map<String, String> headers(Received r) {
        return Map.of("webhook-id", r.id(), "webhook-timestamp", r.timestamp(), "webhook-signature", r.signature());
    }

    static String text(Received r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }
}
