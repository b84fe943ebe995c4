package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.system.ApiException;
import io.flowgate.routing.system.RawJson;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Admin API to upsert and delete routing-table rows: {@code /api/customers/{wa_id}},
 * {@code /api/inventory/{item_id}}, {@code /api/slots/{slot_id}}. Businesses with their own ETL can
 * write the tables directly instead; either way the change reaches every instance's cache at once.
 */
@RestController
class RoutingTablesAdminController {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final int MAX_ATTRIBUTES_CHARS = 16 * 1024;

    private final JdbcClient jdbc;

    RoutingTablesAdminController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @PutMapping(path = "/api/customers/{waId}", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    JsonNode customer(@PathVariable String waId, @RequestBody JsonNode body) {
        key(waId);
        List<String> problems = new ArrayList<>();
        String tier = text(body, "tier", "standard", problems);
        double balance = number(body, "balance_due", 0, problems);
        String attributes = attributes(body, problems);
        refuse(problems);
        jdbc.sql("""
                        INSERT INTO customers (wa_id, tier, balance_due, attributes) VALUES (:id, :tier, :balance, CAST(:attributes AS jsonb))
                        ON CONFLICT (wa_id) DO UPDATE SET tier = EXCLUDED.tier, balance_due = EXCLUDED.balance_due,
                            attributes = EXCLUDED.attributes, updated_at = now()""")
                .param("id", waId).param("tier", tier).param("balance", balance).param("attributes", attributes).update();
        return body;
    }

    @PutMapping(path = "/api/inventory/{itemId}", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    JsonNode item(@PathVariable String itemId, @RequestBody JsonNode body) {
        key(itemId);
        List<String> problems = new ArrayList<>();
        String name = text(body, "name", itemId, problems);
        double stock = number(body, "stock", 0, problems);
        if (stock < 0 || stock != Math.rint(stock)) {
            problems.add("stock: a whole number, 0 or more");
        }
        double price = number(body, "price", 0, problems);
        String attributes = attributes(body, problems);
        refuse(problems);
        jdbc.sql("""
                        INSERT INTO inventory (item_id, name, stock, price, attributes) VALUES (:id, :name, :stock, :price, CAST(:attributes AS jsonb))
                        ON CONFLICT (item_id) DO UPDATE SET name = EXCLUDED.name, stock = EXCLUDED.stock, price = EXCLUDED.price,
                            attributes = EXCLUDED.attributes, updated_at = now()""")
                .param("id", itemId).param("name", name).param("stock", (int) stock).param("price", price)
                .param("attributes", attributes).update();
        return body;
    }

    @PutMapping(path = "/api/slots/{slotId}", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    JsonNode slot(@PathVariable String slotId, @RequestBody JsonNode body) {
        key(slotId);
        List<String> problems = new ArrayList<>();
        String kind = text(body, "kind", "standard", problems);
        Instant startsAt = null;
        try {
            startsAt = Instant.parse(body.path("starts_at").asText(""));
        } catch (DateTimeParseException e) {
            problems.add("starts_at: required, an ISO-8601 instant such as 2026-12-01T09:00:00Z");
        }
        double capacity = number(body, "capacity", 1, problems);
        double booked = number(body, "booked", 0, problems);
        if (capacity < 0 || booked < 0) {
            problems.add("capacity, booked: 0 or more");
        }
        refuse(problems);
        jdbc.sql("""
                        INSERT INTO appointment_slots (slot_id, kind, starts_at, capacity, booked) VALUES (:id, :kind, :starts, :capacity, :booked)
                        ON CONFLICT (slot_id) DO UPDATE SET kind = EXCLUDED.kind, starts_at = EXCLUDED.starts_at,
                            capacity = EXCLUDED.capacity, booked = EXCLUDED.booked, updated_at = now()""")
                .param("id", slotId).param("kind", kind).param("starts", Timestamp.from(startsAt))
                .param("capacity", (int) capacity).param("booked", (int) booked).update();
        return body;
    }

    @GetMapping(path = "/api/{table:customers|inventory|slots}", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> list(@PathVariable String table) {
        String sql = switch (table) {
            case "customers" -> "SELECT to_jsonb(t)::text FROM customers t ORDER BY wa_id LIMIT 1000";
            case "inventory" -> "SELECT to_jsonb(t)::text FROM inventory t ORDER BY item_id LIMIT 1000";
            default -> "SELECT to_jsonb(t)::text FROM appointment_slots t ORDER BY starts_at, slot_id LIMIT 1000";
        };
        return Map.of(table, jdbc.sql(sql).query(String.class).list().stream().map(RawJson::new).toList());
    }

    @DeleteMapping(path = "/api/{table:customers|inventory|slots}/{key}")
    ResponseEntity<Void> delete(@PathVariable String table, @PathVariable String key) {
        key(key);
        String sql = switch (table) {
            case "customers" -> "DELETE FROM customers WHERE wa_id = :k";
            case "inventory" -> "DELETE FROM inventory WHERE item_id = :k";
            default -> "DELETE FROM appointment_slots WHERE slot_id = :k";
        };
        if (jdbc.sql(sql).param("k", key).update() == 0) {
            throw ApiException.notFound("no " + table + " row " + key);
        }
        return ResponseEntity.noContent().build();
    }


    private static void key(String key) {
        if (!KEY.matcher(key).matches()) {
            throw ApiException.badRequest("the key must be 1-64 letters, digits, '.', '_', ':' or '-'");
        }
    }

    private static void refuse(List<String> problems) {
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("the row is not valid", problems);
        }
    }

    private static String text(JsonNode body, String field, String fallback, List<String> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual() || v.asText().length() > 200) {
            problems.add(field + ": a string of at most 200 characters");
            return fallback;
        }
        return v.asText();
    }

    private static double number(JsonNode body, String field, double fallback, List<String> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || Double.isNaN(v.asDouble()) || Math.abs(v.asDouble()) > 1e12) {
            problems.add(field + ": a number");
            return fallback;
        }
        return v.asDouble();
    }

    private static String attributes(JsonNode body, List<String> problems) {
        JsonNode v = body.get("attributes");
        if (v == null || v.isNull()) {
            return "{}";
        }
        if (!v.isObject() || v.toString().length() > MAX_ATTRIBUTES_CHARS) {
            problems.add("attributes: an object of at most " + MAX_ATTRIBUTES_CHARS + " characters");
            return "{}";
        }
        return v.toString();
    }
}
