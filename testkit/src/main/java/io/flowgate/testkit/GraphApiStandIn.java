package io.flowgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for Meta's Graph API on localhost (a JDK {@code HttpServer}, so the simulator and the embedded
 * launcher can run it too): Flowgate's outgoing messages go somewhere real without reaching WhatsApp, and its
 * Flows management calls meet a Meta with state.
 * <ul>
 *   <li>{@code POST /{version}/{phone_number_id}/messages} is answered as Meta answers it
 *   ({@code {"messaging_product":"whatsapp","contacts":[...],"messages":[{"id":"wamid..."}]}}, reference §2.4)
 *   and recorded; per recipient a test can make it answer otherwise ({@link #answer}, {@link #answerOnceThenAccept},
 *   {@link #accept} with a delay or a given wamid). What was sent is inspectable from Java ({@link #recorded()},
 *   {@link #recordedTo}) and at {@code GET /recorded?to=<wa_id>}; the most recent {@value #KEPT} calls are
 *   kept in memory and all are counted.</li>
 *   <li>The Flows API, the business key and the Flow metrics API, for {@link FlowsAtMeta#WABA_ID} and this
 *   stand-in's phone number id, are answered by {@link #meta()}.</li>
 * </ul>
 * Started by {@link #start()} it takes only {@link #ACCESS_TOKEN}, as Meta takes only the token it issued;
 * started by {@link #start(int)} (the simulator's way) it takes any bearer token.
 */
public final class GraphApiStandIn implements AutoCloseable {

    public static final String ACCESS_TOKEN = "test-access-token";
    public static final String PHONE_NUMBER_ID = "106540352242922";
    static final int KEPT = 10_000;
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final int MAX_LISTED = 1_000;
    private static final Pattern MESSAGES = Pattern.compile("^/(v\\d+(?:\\.\\d+)?)/([A-Za-z0-9_-]+)/messages/?$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Reply ACCEPT = new Reply(200, null, null, 0);

    /** One HTTP call as the stand-in received it ({@code query} raw, or null). */
    record Call(String method, String path, String query, String authorization, String contentType, byte[] body, Instant arrived) {
    }

    /** What the stand-in answers: a status, a JSON (or other) body, after a delay. */
    record Answer(int status, String body, int delayMillis) {
    }

    /** How to answer a message: with {@code body} and {@code status}, or accepted ({@code body} null) with {@code wamid} (null: a fresh one). */
    private record Reply(int status, String body, String wamid, int delayMillis) {
    }

    /** The answers for one recipient: each of {@code once} in turn, then {@code always}. */
    private record Replies(Deque<Reply> once, Reply always) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final String accessToken;
    private final FlowsAtMeta meta = new FlowsAtMeta(PHONE_NUMBER_ID);
    private final Map<String, Replies> replies = new ConcurrentHashMap<>();
    private final Deque<RecordedMessage> recorded = new ArrayDeque<>();
    private final AtomicLong count = new AtomicLong();

    private GraphApiStandIn(HttpServer server, ExecutorService executor, String accessToken) {
        this.server = server;
        this.executor = executor;
        this.accessToken = accessToken;
    }

    /** Starts a stand-in on a free port of the loopback interface that takes only {@link #ACCESS_TOKEN}. */
    public static GraphApiStandIn start() {
        return start(0, ACCESS_TOKEN);
    }

    /** Starts a stand-in on {@code port} of the loopback interface (0 picks a free port) that takes any bearer token. */
    public static GraphApiStandIn start(int port) {
        return start(port, null);
    }

    private static GraphApiStandIn start(int port, String accessToken) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            // a test may hold some answers back (delays) while others go through
            ExecutorService executor = Executors.newFixedThreadPool(16, r -> {
                Thread t = new Thread(r, "graph-api-stand-in");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            GraphApiStandIn standIn = new GraphApiStandIn(server, executor, accessToken);
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

    /** The properties that point a routing-api at this stand-in, with credentials it takes. */
    public Map<String, Object> senderProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("flowgate.whatsapp.graph-api-url", uri().toString());
        p.put("flowgate.whatsapp.access-token", ACCESS_TOKEN);
        p.put("flowgate.whatsapp.phone-number-id", PHONE_NUMBER_ID);
        return p;
    }

    /** Meta's Flows, business key and metrics as this stand-in holds them. */
    public FlowsAtMeta meta() {
        return meta;
    }

    /** Accepts every message to {@code waId} with a fresh wamid, after {@code delayMillis}. */
    public void accept(String waId, int delayMillis) {
        replies.put(digits(waId), new Replies(new ArrayDeque<>(), new Reply(200, null, null, delayMillis)));
    }

    /** Accepts every message to {@code waId} with this wamid. */
    public void accept(String waId, String wamid) {
        replies.put(digits(waId), new Replies(new ArrayDeque<>(), new Reply(200, null, wamid, 0)));
    }

    /** Answers every message to {@code waId} with this status and body (JSON, or anything a proxy might send). */
    public void answer(String waId, int status, String body) {
        answer(waId, status, body, 0);
    }

    /** Answers every message to {@code waId} with this status and body, after {@code delayMillis}. */
    public void answer(String waId, int status, String body, int delayMillis) {
        replies.put(digits(waId), new Replies(new ArrayDeque<>(), new Reply(status, body, null, delayMillis)));
    }

    /** Answers the first message to {@code waId} with this status and body, and accepts the ones after it. */
    public void answerOnceThenAccept(String waId, int status, String body) {
        replies.put(digits(waId), new Replies(new ArrayDeque<>(List.of(new Reply(status, body, null, 0))), ACCEPT));
    }

    /** A Graph API error body as the messages endpoint sends it, {@code error_data.details} included. */
    public static String graphError(int code, String message) {
        return graphError(code, message, null, null, message);
    }

    /** Meta's error object: {@code {"error":{message, type, code, error_user_title?, error_user_msg?, error_data?, fbtrace_id}}}. */
    static String graphError(int code, String message, String userTitle, String userMessage, String details) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", message).put("type", "OAuthException").put("code", code);
        if (userTitle != null) {
            error.put("error_user_title", userTitle);
        }
        if (userMessage != null) {
            error.put("error_user_msg", userMessage);
        }
        if (details != null) {
            error.putObject("error_data").put("messaging_product", "whatsapp").put("details", details);
        }
        error.put("fbtrace_id", "A" + Long.toHexString(System.nanoTime()));
        return body.toString();
    }

    /** How many message calls were recorded since the start, including those no longer kept. */
    public long count() {
        return count.get();
    }

    /** The recorded message calls still kept, in the order they arrived. */
    public List<RecordedMessage> recorded() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    /** The kept message calls to {@code waId}, in the order they arrived. */
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
        Instant arrived = Instant.now();
        try {
            byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
            Answer answer = body.length > MAX_BODY_BYTES
                    ? new Answer(413, graphError(100, "(#100) The request body is larger than " + MAX_BODY_BYTES + " bytes"), 0)
                    : answer(new Call(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Content-Type"), body, arrived));
            if (answer.delayMillis() > 0) {
                Thread.sleep(answer.delayMillis());
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private Answer answer(Call call) {
        Matcher messages = MESSAGES.matcher(call.path());
        boolean message = "POST".equals(call.method()) && messages.matches();
        if ("GET".equals(call.method()) && "/recorded".equals(call.path())) {
            return list(call.query());
        }
        if (!message && !meta.answers(call.path())) {
            return new Answer(404, graphError(2500, "Unknown path components: " + call.path(), null, null, null), 0);
        }
        String authorization = call.authorization();
        if (authorization == null || !authorization.startsWith("Bearer ") || authorization.length() <= "Bearer ".length()) {
            return new Answer(401, graphError(2500, "An active access token must be used to query information.", null, null, null), 0);
        }
        if (accessToken != null && !authorization.equals("Bearer " + accessToken)) {
            return new Answer(401, graphError(190, "Invalid OAuth access token - Cannot parse access token", null, null, null), 0);
        }
        return message ? message(call, messages.group(1), messages.group(2)) : meta.answer(call);
    }

    private Answer message(Call call, String version, String phoneNumberId) {
        JsonNode body;
        try {
            body = JSON.readTree(call.body());
        } catch (IOException e) {
            return new Answer(400, graphError(100, "(#100) The request body is not JSON", null, null, null), 0);
        }
        if (body == null || !"whatsapp".equals(body.path("messaging_product").asText())) {
            return new Answer(400, graphError(100, "(#100) The parameter messaging_product is required.", null, null, null), 0);
        }
        boolean readReceipt = "read".equals(body.path("status").asText()) && body.path("message_id").isTextual();
        String to = body.path("to").asText(null);
        if (!readReceipt && (to == null || to.isBlank())) {
            return new Answer(400, graphError(100, "(#100) The parameter to is required.", null, null, null), 0);
        }
        Reply reply = replyTo(to);
        boolean accepted = reply.body() == null;
        String wamid = !accepted ? null : reply.wamid() != null ? reply.wamid() : "wamid." + UUID.randomUUID().toString().replace("-", "");
        record(new RecordedMessage(wamid, version, phoneNumberId, to, readReceipt ? "read" : body.path("type").asText("text"),
                body, call.authorization(), reply.status(), call.arrived()));
        if (!accepted) {
            return new Answer(reply.status(), reply.body(), reply.delayMillis());
        }
        if (readReceipt) {
            return new Answer(200, JSON.createObjectNode().put("success", true).toString(), reply.delayMillis());
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("messaging_product", "whatsapp");
        answer.putArray("contacts").addObject().put("input", to).put("wa_id", digits(to));
        answer.putArray("messages").addObject().put("id", wamid);
        return new Answer(200, answer.toString(), reply.delayMillis());
    }

    private Reply replyTo(String to) {
        Replies forRecipient = to == null ? null : replies.get(digits(to));
        if (forRecipient == null) {
            return ACCEPT;
        }
        synchronized (forRecipient) {
            Reply once = forRecipient.once().poll();
            return once != null ? once : forRecipient.always();
        }
    }

    private Answer list(String rawQuery) {
        String to = query(rawQuery, "to");
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
            o.put("status", m.status());
            o.put("received_at", m.receivedAt().toString());
            o.set("body", m.body());
        }
        return new Answer(200, reply.toString(), 0);
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
