package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flowgate.routing.system.ChangeListener;
import io.flowgate.routing.system.ControlCharacters;
import io.flowgate.routing.system.JsonColumns;
import org.springframework.jdbc.core.JdbcTemplate;
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
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

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
    private static final Set<String> USER_TABLES = Set.of("customers", "lead_scores", ChangeListener.ALL);

    private final JdbcClient jdbc;
    private final JdbcTemplate plain;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Cache<String, Map<String, Object>> customers = cache(100_000);
    private final Cache<String, Map<String, Object>> leads = cache(100_000);
    private final Cache<String, Map<String, Object>> items = cache(100_000);
    private final Cache<String, List<Map<String, Object>>> lists = cache(1_000);
    /** Counts changes of customers and lead scores, so a read that overlapped one does not stay cached. */
    private final AtomicLong userChanges = new AtomicLong();

    RoutingTables(JdbcClient jdbc, JdbcTemplate plain, ObjectMapper mapper, Clock clock, ChangeListener changes) {
        this.jdbc = jdbc;
        this.plain = plain;
        this.mapper = mapper;
        this.clock = clock;
        changes.subscribe(this::changed);
    }

    /** The customer record: wa_id, tier, balance_due and its attributes; tier "standard" when unknown. */
    public Map<String, Object> customer(String waId) {
        String id = waId == null ? "" : waId;
        Map<String, Object> cached = customers.getIfPresent(id);
        return cached != null ? cached : customerAndLead(id).customer();
    }

    /** The user's lead score as the analytics job last wrote it: score 0, tier "unknown" when none. */
    public Map<String, Object> lead(String waId) {
        String id = waId == null ? "" : waId;
        Map<String, Object> cached = leads.getIfPresent(id);
        return cached != null ? cached : customerAndLead(id).lead();
    }

    /** A user's customer record and lead score, both cached. */
    private record UserRows(Map<String, Object> customer, Map<String, Object> lead) {
    }

    /**
     * Reads the customer record and the lead score of a user in one query (the rules of a step usually read
     * both: one round trip instead of two on the Flow endpoint's hot path) and caches both. A change of either
     * table noticed while the query ran drops what was just cached, so a stale row never outlives its change.
     */
    private UserRows customerAndLead(String id) {
        long changesBefore = userChanges.get();
        Map<String, Object> customer = new LinkedHashMap<>();
        customer.put("wa_id", id);
        customer.put("tier", "standard");
        customer.put("balance_due", 0.0);
        customer.put("known", false);
        Map<String, Object> lead = new LinkedHashMap<>();
        lead.put("score", 0L);
        lead.put("tier", "unknown");
        if (ControlCharacters.isClean(id)) {
            // JdbcTemplate with ? parameters (no named-parameter parsing): the Flow endpoint's hot path (issue 12)
            plain.query("""
                            SELECT c.wa_id IS NOT NULL AS known, c.tier, c.balance_due, c.attributes::text AS attributes,
                                (SELECT to_jsonb(l)::text FROM lead_scores l WHERE l.wa_id = ?) AS lead
                            FROM (SELECT 1) AS one LEFT JOIN customers c ON c.wa_id = ?""",
                    ps -> {
                        ps.setString(1, id);
                        ps.setString(2, id);
                    }, rs -> {
                        while (rs.next()) {
                            if (rs.getBoolean("known")) {
                                customer.putAll(json(rs.getString("attributes")));
                                customer.put("tier", rs.getString("tier"));
                                customer.put("balance_due", CelValues.fromJdbc(rs.getBigDecimal("balance_due")));
                                customer.put("known", true);
                            }
                            lead.putAll(json(rs.getString("lead")));
                        }
                        return null;
                    });
        }
        customers.put(id, customer);
        leads.put(id, lead);
        if (userChanges.get() != changesBefore) {
            // a change arrived while reading: its invalidation may have run before these puts
            customers.invalidate(id);
            leads.invalidate(id);
        }
        return new UserRows(customer, lead);
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
        if (USER_TABLES.contains(change.table())) {
            userChanges.incrementAndGet(); // before the invalidation: see customerAndLead
        }
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
