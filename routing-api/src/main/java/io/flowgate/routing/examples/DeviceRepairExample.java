package io.flowgate.routing.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
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
 * through the admin API, exactly as a business would; the embedded run and the tests use it.
 */
public final class DeviceRepairExample {

    public static final String FLOW_ID = "device_repair";
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
