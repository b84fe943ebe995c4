package io.flowgate.routing.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The shipped example: a device-repair booking Flow whose routing is decided by the business's data,
 * the scenarios of the product's seed articles as rules — an overdue balance goes to payment, parts out
 * of stock to "notify me", a high budget (or a hot lead) to a live agent, premium customers to the
 * express desk, everyone else to the standard scheduler — and routing tables to go with it. Installed
 * through the admin API, exactly as a business would; the embedded run and the tests use it, and on a
 * stand-alone routing-api {@code java -jar routing-api-*-exec.jar install-example http://localhost:8080}
 * with {@code FLOWGATE_ADMIN_TOKEN} set ({@link #command}).
 */
public final class DeviceRepairExample {

    public static final String FLOW_ID = "device_repair";
    /** The routing-api argument that installs the example instead of starting the server. */
    public static final String COMMAND = "install-example";
    private static final String BASE = "/examples/device_repair/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI api;
    private final String adminToken;

    public DeviceRepairExample(URI api, String adminToken) {
        this.api = api;
        this.adminToken = adminToken;
    }

    /** Uploads the Flow, replaces its rules, and fills the routing tables (slots from tomorrow on). */
    public void install() {
        call("PUT", "/api/flows/" + FLOW_ID, read("flow.json").toString());
        for (JsonNode rule : call("GET", "/api/flows/" + FLOW_ID + "/rules", null).path("rules")) {
            call("DELETE", "/api/flows/" + FLOW_ID + "/rules/" + rule.path("rule_id").asLong(), null);
        }
        for (JsonNode rule : read("rules.json")) {
            call("POST", "/api/flows/" + FLOW_ID + "/rules", rule.toString());
        }
        JsonNode tables = read("tables.json");
        for (JsonNode customer : tables.path("customers")) {
            call("PUT", "/api/customers/" + customer.path("wa_id").asText(), customer.toString());
        }
        for (JsonNode item : tables.path("inventory")) {
            call("PUT", "/api/inventory/" + item.path("item_id").asText(), item.toString());
        }
        Instant tomorrow = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1)).plus(Duration.ofHours(9));
        tables.path("slot_kinds").fields().forEachRemaining(kind -> {
            for (int i = 0; i < kind.getValue().asInt(); i++) {
                ObjectNode slot = JSON.createObjectNode();
                slot.put("kind", kind.getKey());
                slot.put("starts_at", tomorrow.plus(Duration.ofMinutes(90L * i)).toString());
                slot.put("capacity", 1);
                call("PUT", "/api/slots/" + kind.getKey() + "-" + (i + 1), slot.toString());
            }
        });
    }

    /**
     * {@code install-example <routing-api URL>}: installs the example on that routing-api with the admin token
     * given (the caller's {@code FLOWGATE_ADMIN_TOKEN}); installing again replaces what it installed. Says on
     * {@code out} what it did or why it could not; returns the exit status (0 installed, 1 refused or
     * unreachable, 2 usage).
     */
    public static int command(String[] args, String adminToken, PrintStream out) {
        if (args.length != 2 || !args[1].matches("https?://\\S+")) {
            out.println("usage: FLOWGATE_ADMIN_TOKEN=<admin token> java -jar routing-api-*-exec.jar " + COMMAND
                    + " <routing-api URL, e.g. http://localhost:8080>");
            return 2;
        }
        if (adminToken == null || adminToken.isBlank()) {
            out.println(COMMAND + ": set FLOWGATE_ADMIN_TOKEN to the admin token of the routing-api at " + args[1]);
            return 2;
        }
        URI api = URI.create(args[1].endsWith("/") ? args[1] : args[1] + "/");
        try {
            new DeviceRepairExample(api, adminToken).install();
        } catch (IllegalStateException e) {
            out.println(COMMAND + ": not installed: " + e.getMessage());
            return 1;
        }
        out.println(COMMAND + ": installed the " + FLOW_ID + " Flow, its rules and routing tables on " + api
                + " (the lead_qualification chat machine is installed by routing-api itself when it has none)");
        return 0;
    }

    private JsonNode call(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode read(String name) {
        try (InputStream in = DeviceRepairExample.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                throw new IllegalStateException("example resource missing: " + BASE + name);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("example resource unreadable: " + BASE + name, e);
        }
    }
}
