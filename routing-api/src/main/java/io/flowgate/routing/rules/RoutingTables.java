package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flowgate.routing.system.ChangeListener;
import io.flowgate.routing.system.ControlCharacters;
import io.flowgate.routing.system.JsonColumns;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The routing tables that rules read (customers, inventory with its hot-inventory analytics, lead
 * scores, appointment slots), as the values CEL sees. A key no row can have (one holding a character
 * PostgreSQL refuses, see {@link ControlCharacters}) is answered with the defaults without a query, so a
 * lookup can never abort the caller's transaction. Read on the Flow endpoint's hot path, so every
 * lookup is cached; {@link ChangeListener} drops an entry the moment its row changes in PostgreSQL,
 * whichever instance (or the analytics job) changed it. Unknown keys get defaults, never errors.
 */
@Service
public class RoutingTables {

    static final int MAX_LIST = 100;
    private static final Duration SAFETY_TTL = Duration.ofMinutes(5);
    private static final DateTimeFormatter SLOT_TITLE = DateTimeFormatter.ofPattern("EEE d MMM HH:mm", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private final JdbcClient jdbc;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Cache<String, Map<String, Object>> customers = cache(100_000);
    private final Cache<String, Map<String, Object>> leads = cache(100_000);
    private final Cache<String, Map<String, Object>> items = cache(100_000);
    private final Cache<String, List<Map<String, Object>>> lists = cache(1_000);

    RoutingTables(JdbcClient jdbc, ObjectMapper mapper, Clock clock, ChangeListener changes) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.clock = clock;
        changes.subscribe(this::changed);
    }

    /** The customer record: wa_id, tier, balance_due and its attributes; tier "standard" when unknown. */
    public Map<String, Object> customer(String waId) {
        return customers.get(waId == null ? "" : waId, id -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("wa_id", id);
            out.put("tier", "standard");
            out.put("balance_due", 0.0);
            out.put("known", false);
            if (!ControlCharacters.isClean(id)) {
                return out;
            }
            jdbc.sql("SELECT tier, balance_due, attributes::text AS attributes FROM customers WHERE wa_id = :id")
                    .param("id", id).query(rs -> {
                        out.putAll(json(rs.getString("attributes")));
                        out.put("tier", rs.getString("tier"));
                        out.put("balance_due", CelValues.fromJdbc(rs.getBigDecimal("balance_due")));
                        out.put("known", true);
                    });
            return out;
        });
    }

    /** The user's lead score as the analytics job last wrote it: score 0, tier "unknown" when none. */
    public Map<String, Object> lead(String waId) {
        return leads.get(waId == null ? "" : waId, id -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("score", 0L);
            out.put("tier", "unknown");
            out.putAll(optionalRow("SELECT to_jsonb(l)::text FROM lead_scores l WHERE wa_id = :id", id));
            return out;
        });
    }

    /**
     * An inventory item merged with its hot-inventory row: item_id, name, stock, price, hot, demand,
     * exists. An unknown item has exists false and stock 0.
     */
    public Map<String, Object> item(String itemId) {
        return items.get(itemId == null ? "" : itemId, id -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("item_id", id);
            out.put("name", "");
            out.put("stock", 0L);
            out.put("price", 0.0);
            out.put("hot", false);
            out.put("demand", 0L);
            out.put("exists", false);
            if (!ControlCharacters.isClean(id)) {
                return out;
            }
            Map<String, Object> hot = optionalRow("SELECT to_jsonb(h)::text FROM hot_inventory h WHERE item_id = :id", id);
            hot.remove("stock"); // the inventory table is the source of truth for stock
            out.putAll(hot);
            jdbc.sql("SELECT name, stock, price, attributes::text AS attributes FROM inventory WHERE item_id = :id")
                    .param("id", id).query(rs -> {
                        out.putAll(json(rs.getString("attributes")));
                        out.put("name", rs.getString("name"));
                        out.put("stock", (long) rs.getInt("stock"));
                        out.put("price", rs.getBigDecimal("price") == null ? 0.0 : rs.getBigDecimal("price").doubleValue());
                        out.put("exists", true);
                    });
            return out;
        });
    }

    /** Items in stock, for a dropdown: [{id, title}] by name, at most {@value #MAX_LIST}. */
    public List<Map<String, Object>> itemsInStock() {
        return lists.get("items", k -> jdbc.sql("SELECT item_id, name FROM inventory WHERE stock > 0 ORDER BY name, item_id LIMIT "
                        + MAX_LIST)
                .query((rs, n) -> option(rs.getString("item_id"), rs.getString("name"))).list());
    }

    /** Free future slots of a kind, for a dropdown: [{id, title}] soonest first, at most 20. */
    public List<Map<String, Object>> slots(String kind) {
        if (!ControlCharacters.isClean(kind)) {
            return List.of();
        }
        // cached per kind and minute: a slot in the past must drop out even if nothing changed
        long minute = clock.millis() / 60_000;
        return lists.get("slots:" + kind + ":" + minute, k -> jdbc.sql("""
                        SELECT slot_id, starts_at FROM appointment_slots
                        WHERE kind = :kind AND booked < capacity AND starts_at > now()
                        ORDER BY starts_at, slot_id LIMIT 20""")
                .param("kind", kind)
                .query((rs, n) -> option(rs.getString("slot_id"), SLOT_TITLE.format(rs.getTimestamp("starts_at").toInstant())))
                .list());
    }

    private void changed(ChangeListener.Change change) {
        switch (change.table()) {
            case "customers" -> customers.invalidate(change.key());
            case "lead_scores" -> leads.invalidate(change.key());
            case "inventory", "hot_inventory" -> {
                items.invalidate(change.key());
                lists.invalidate("items");
            }
            case "appointment_slots" -> lists.asMap().keySet().removeIf(k -> k.startsWith("slots:" + change.key() + ":"));
            case ChangeListener.ALL -> {
                customers.invalidateAll();
                leads.invalidateAll();
                items.invalidateAll();
                lists.invalidateAll();
            }
            default -> {
            }
        }
    }

    private Map<String, Object> optionalRow(String sql, String id) {
        if (!ControlCharacters.isClean(id)) {
            return new LinkedHashMap<>();
        }
        return jdbc.sql(sql).param("id", id).query(String.class).optional().map(this::json).orElseGet(LinkedHashMap::new);
    }

    private Map<String, Object> json(String text) {
        if (text == null) {
            return new LinkedHashMap<>();
        }
        return CelValues.map(JsonColumns.tree(mapper, text));
    }

    private static Map<String, Object> option(String id, String title) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("title", title);
        return m;
    }

    private static <V> Cache<String, V> cache(int size) {
        return Caffeine.newBuilder().maximumSize(size).expireAfterWrite(SAFETY_TTL).build();
    }

}
