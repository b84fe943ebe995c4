package io.flowgate.simulator.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for Meta's WhatsApp Cloud API on localhost, so Flowgate's outgoing messages go somewhere
 * real without reaching WhatsApp: {@code POST /{version}/{phone_number_id}/messages} is answered as
 * Meta answers it ({@code {"messaging_product":"whatsapp","contacts":[...],"messages":[{"id":"wamid..."}]}},
 * reference §2.4) and recorded. Point routing-api at it with {@code FLOWGATE_GRAPH_API_URL=uri()}.
 * What was sent is countable and inspectable from Java and at {@code GET /recorded?to=<wa_id>}.
 * It keeps the most recent {@value #KEPT} messages in memory and counts them all.
 */
public final class GraphApiStandIn implements AutoCloseable {

    static final int KEPT = 10_000;
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final int MAX_LISTED = 1_000;
    private static final Pattern MESSAGES = Pattern.compile("^/(v\\d+(?:\\.\\d+)?)/([A-Za-z0-9_-]+)/messages/?$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Deque<RecordedMessage> recorded = new ArrayDeque<>();
    private final AtomicLong count = new AtomicLong();

    private GraphApiStandIn(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts the stand-in on {@code port} of the loopback interface (0 picks a free port). */
    public static GraphApiStandIn start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "graph-api-stand-in");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            GraphApiStandIn standIn = new GraphApiStandIn(server, executor);
            server.createContext("/", standIn::handle);
            server.start();
            return standIn;
        } catch (IOException e) {
            throw new UncheckedIOException("the Graph API stand-in cannot listen on port " + port, e);
        }
    }

    /** The base URL to give Flowgate as {@code FLOWGATE_GRAPH_API_URL}, e.g. {@code http://localhost:8090}. */
    public URI uri() {
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    /** How many calls were recorded since the start, including those no longer kept. */
    public long count() {
        return count.get();
    }

    /** The recorded calls still kept, oldest first. */
    public List<RecordedMessage> recorded() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    /** The kept messages sent to {@code waId}, oldest first. */
    public List<RecordedMessage> recordedTo(String waId) {
        String wanted = digits(waId);
        return recorded().stream().filter(m -> wanted.equals(digits(m.to()))).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            Matcher messages = MESSAGES.matcher(path);
            if ("POST".equals(exchange.getRequestMethod()) && messages.matches()) {
                send(exchange, messages.group(1), messages.group(2));
            } else if ("GET".equals(exchange.getRequestMethod()) && "/recorded".equals(path)) {
                list(exchange);
            } else {
                answer(exchange, 404, graphError("Unknown path components: " + path, 2500));
            }
        } finally {
            exchange.close();
        }
    }

    private void send(HttpExchange exchange, String version, String phoneNumberId) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ") || authorization.length() <= "Bearer ".length()) {
            answer(exchange, 401, graphError("An active access token must be used to query information.", 2500));
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(readBounded(exchange.getRequestBody()));
        } catch (IOException e) {
            answer(exchange, 400, graphError("(#100) The request body is not JSON", 100));
            return;
        }
        if (body == null || !"whatsapp".equals(body.path("messaging_product").asText())) {
            answer(exchange, 400, graphError("(#100) The parameter messaging_product is required.", 100));
            return;
        }
        boolean readReceipt = "read".equals(body.path("status").asText()) && body.path("message_id").isTextual();
        String to = body.path("to").asText(null);
        if (!readReceipt && (to == null || to.isBlank())) {
            answer(exchange, 400, graphError("(#100) The parameter to is required.", 100));
            return;
        }
        String wamid = "wamid." + UUID.randomUUID().toString().replace("-", "");
        record(new RecordedMessage(wamid, version, phoneNumberId, to, readReceipt ? "read" : body.path("type").asText("text"),
                body, Instant.now()));
        if (readReceipt) {
            answer(exchange, 200, JSON.createObjectNode().put("success", true));
            return;
        }
        ObjectNode reply = JSON.createObjectNode();
        reply.put("messaging_product", "whatsapp");
        reply.putArray("contacts").addObject().put("input", to).put("wa_id", digits(to));
        reply.putArray("messages").addObject().put("id", wamid);
        answer(exchange, 200, reply);
    }

    private void list(HttpExchange exchange) throws IOException {
        String to = query(exchange.getRequestURI().getRawQuery(), "to");
        List<RecordedMessage> messages = to == null ? recorded() : recordedTo(to);
        ObjectNode reply = JSON.createObjectNode();
        reply.put("count", count());
        ArrayNode list = reply.putArray("messages");
        for (RecordedMessage m : messages.subList(Math.max(0, messages.size() - MAX_LISTED), messages.size())) {
            ObjectNode o = list.addObject();
            o.put("id", m.wamid());
            o.put("version", m.apiVersion());
            o.put("phone_number_id", m.phoneNumberId());
            o.put("to", m.to());
            o.put("type", m.type());
            o.put("received_at", m.receivedAt().toString());
            o.set("body", m.body());
        }
        answer(exchange, 200, reply);
    }

    private void record(RecordedMessage message) {
        synchronized (recorded) {
            recorded.addLast(message);
            if (recorded.size() > KEPT) {
                recorded.removeFirst();
            }
        }
        count.incrementAndGet();
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            throw new IOException("body larger than " + MAX_BODY_BYTES + " bytes");
        }
        return body;
    }

    private static void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Meta's error object: {@code {"error":{message, type, code, fbtrace_id}}}. */
    private static JsonNode graphError(String message, int code) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("message", message).put("type", "OAuthException").put("code", code)
                .put("fbtrace_id", "stand-in");
        return error;
    }

    private static String query(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && name.equals(pair.substring(0, eq))) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** A number as WhatsApp ids write it: digits only ({@code +1 650-555} becomes {@code 1650555}). */
    private static String digits(String number) {
        return number == null ? null : number.replaceAll("[^0-9]", "");
    }
}
