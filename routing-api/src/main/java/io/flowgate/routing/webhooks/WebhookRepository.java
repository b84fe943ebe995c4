package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.routing.system.JsonColumns;
import io.flowgate.routing.system.RawJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code webhook_subscriptions} and {@code webhook_deliveries}. Every instance's worker claims due deliveries
 * with {@code FOR UPDATE SKIP LOCKED} and a lease ({@code next_attempt_at} moved past the attempt), so two
 * instances never send the same delivery at once, and a delivery whose sender crashed is sent again when its
 * lease ends. Only the oldest pending delivery of a (subscription, lead) is ever due: one lead's deliveries go
 * out one after the other, in the order they were recorded, while other leads' proceed.
 */
@Repository
class WebhookRepository {

    /** The columns of a subscription the admin API shows: never the secret. */
    static final String PUBLIC_COLUMNS = """
            subscription_id, name, url, event_types, machine_id, flow_id, include_free_text, mapping, enabled,
            CASE WHEN NOT enabled THEN 'disabled' WHEN paused_at IS NOT NULL THEN 'paused' ELSE 'active' END AS status,
            paused_at, pause_reason, probe_at, consecutive_failures, created_at, updated_at""";

    private final JdbcClient jdbc;
    private final ObjectMapper mapper;

    WebhookRepository(JdbcClient jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /** A subscription as the consumer and the worker need it. */
    record Subscription(long id, String url, byte[] secretEncrypted, List<String> eventTypes, String machineId,
                        String flowId, boolean includeFreeText, JsonNode mapping) {
    }

    /** What a subscription is set to; {@code secretEncrypted} null keeps the current secret on update. */
    record Settings(String name, String url, byte[] secretEncrypted, List<String> eventTypes, String machineId,
                    String flowId, boolean includeFreeText, JsonNode mapping, boolean enabled) {
    }

    /** A claimed delivery. */
    record Due(long id, long subscriptionId, String eventId, String leadKey, String body, Instant occurredAt,
               int attempts, Instant retryStartedAt, String url, byte[] secretEncrypted) {
    }

    long create(Settings s) {
        return jdbc.sql("""
                        INSERT INTO webhook_subscriptions (name, url, secret_encrypted, event_types, machine_id, flow_id,
                            include_free_text, mapping, enabled)
                        VALUES (:name, :url, :secret, :types, :machine, :flow, :freeText, CAST(:mapping AS jsonb), :enabled)
                        RETURNING subscription_id""")
                .params(params(s)).query(Long.class).single();
    }

    boolean update(long id, Settings s) {
        return jdbc.sql("""
                        UPDATE webhook_subscriptions SET name = :name, url = :url,
                            secret_encrypted = coalesce(:secret, secret_encrypted), event_types = :types,
                            machine_id = :machine, flow_id = :flow, include_free_text = :freeText,
                            mapping = CAST(:mapping AS jsonb), enabled = :enabled, updated_at = now()
                        WHERE subscription_id = :id""")
                .params(params(s)).param("id", id).update() == 1;
    }

    private Map<String, Object> params(Settings s) {
        Map<String, Object> p = new HashMap<>();
        p.put("name", s.name());
        p.put("url", s.url());
        p.put("secret", s.secretEncrypted());
        p.put("types", s.eventTypes().toArray(String[]::new));
        p.put("machine", s.machineId());
        p.put("flow", s.flowId());
        p.put("freeText", s.includeFreeText());
        p.put("mapping", s.mapping() == null ? null : s.mapping().toString());
        p.put("enabled", s.enabled());
        return p;
    }

    boolean delete(long id) {
        return jdbc.sql("DELETE FROM webhook_subscriptions WHERE subscription_id = :id").param("id", id).update() == 1;
    }

    List<RawJson> list() {
        return jdbc.sql("SELECT to_jsonb(s)::text FROM (SELECT " + PUBLIC_COLUMNS + " FROM webhook_subscriptions ORDER BY subscription_id) s")
                .query(String.class).list().stream().map(RawJson::new).toList();
    }

    Optional<RawJson> show(long id) {
        return jdbc.sql("""
                        SELECT to_jsonb(s)::text FROM (SELECT %s,
                            (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = w.subscription_id AND d.status = 'pending') AS backlog,
                            (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = w.subscription_id AND d.status = 'dead') AS dead_letters
                            FROM webhook_subscriptions w WHERE subscription_id = :id) s""".formatted(PUBLIC_COLUMNS))
                .param("id", id).query(String.class).optional().map(RawJson::new);
    }

    /** The enabled subscriptions (paused ones included: their deliveries wait for them). */
    List<Subscription> enabled() {
        return jdbc.sql("""
                        SELECT subscription_id, url, secret_encrypted, event_types, machine_id, flow_id, include_free_text,
                            mapping::text AS mapping FROM webhook_subscriptions WHERE enabled ORDER BY subscription_id""")
                .query(this::subscription).list();
    }

    private Subscription subscription(ResultSet rs, int row) throws SQLException {
        String mapping = rs.getString("mapping");
        return new Subscription(rs.getLong("subscription_id"), rs.getString("url"), rs.getBytes("secret_encrypted"),
                strings(rs.getArray("event_types")), rs.getString("machine_id"), rs.getString("flow_id"),
                rs.getBoolean("include_free_text"), JsonColumns.tree(mapper, mapping));
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }

    /** Records a delivery; false when the subscription has it already (a redelivered event). */
    boolean addDelivery(long subscriptionId, String eventId, String type, String leadKey, String body, Instant occurredAt) {
        return jdbc.sql("""
                        INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, lead_key, body, occurred_at)
                        VALUES (:sub, :event, :type, :lead, :body, :at) ON CONFLICT (subscription_id, event_id) DO NOTHING""")
                .param("sub", subscriptionId).param("event", eventId).param("type", type).param("lead", leadKey)
                .param("body", body).param("at", Timestamp.from(occurredAt)).update() == 1;
    }

    private static final String CLAIM = """
            UPDATE webhook_deliveries d SET next_attempt_at = now() + CAST(:lease AS interval), attempts = d.attempts + 1,
                -- retry-for counts from the first attempt: waiting behind a lead's earlier delivery does not use it up
                retry_started_at = CASE WHEN d.attempts = 0 THEN now() ELSE d.retry_started_at END
            FROM (SELECT c.delivery_id FROM webhook_deliveries c JOIN webhook_subscriptions s USING (subscription_id)
                  WHERE c.status = 'pending' AND c.next_attempt_at <= now() AND s.enabled AND %s
                    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.subscription_id = c.subscription_id
                        AND e.lead_key = c.lead_key AND e.status = 'pending' AND e.delivery_id < c.delivery_id)
                  ORDER BY c.next_attempt_at, c.delivery_id LIMIT :limit FOR UPDATE OF c SKIP LOCKED) due,
                 webhook_subscriptions w
            WHERE d.delivery_id = due.delivery_id AND w.subscription_id = d.subscription_id
            RETURNING d.delivery_id, d.subscription_id, d.event_id, d.lead_key, d.body, d.occurred_at, d.attempts,
                d.retry_started_at, w.url, w.secret_encrypted""";

    /** Up to {@code limit} due deliveries of active subscriptions, leased for {@code lease}. */
    List<Due> claim(int limit, Duration lease) {
        return jdbc.sql(CLAIM.formatted("s.paused_at IS NULL"))
                .param("lease", lease.toMillis() + " milliseconds").param("limit", limit).query(this::due).list();
    }

    /**
     * One probe per paused subscription whose probe is due: its oldest due delivery, leased; the next probe
     * of that subscription is {@code interval} later.
     */
    List<Due> claimProbes(Duration interval, Duration lease) {
        List<Long> probed = jdbc.sql("""
                        UPDATE webhook_subscriptions SET probe_at = now() + CAST(:interval AS interval)
                        WHERE subscription_id IN (SELECT subscription_id FROM webhook_subscriptions
                            WHERE enabled AND paused_at IS NOT NULL AND probe_at <= now() FOR UPDATE SKIP LOCKED)
                        RETURNING subscription_id""")
                .param("interval", interval.toMillis() + " milliseconds").query(Long.class).list();
        return probed.stream().flatMap(sub -> jdbc.sql(CLAIM.formatted("s.subscription_id = :sub"))
                .param("lease", lease.toMillis() + " milliseconds").param("limit", 1).param("sub", sub)
                .query(this::due).list().stream()).toList();
    }

    private Due due(ResultSet rs, int row) throws SQLException {
        return new Due(rs.getLong("delivery_id"), rs.getLong("subscription_id"), rs.getString("event_id"),
                rs.getString("lead_key"), rs.getString("body"), rs.getTimestamp("occurred_at").toInstant(),
                rs.getInt("attempts"), rs.getTimestamp("retry_started_at").toInstant(), rs.getString("url"),
                rs.getBytes("secret_encrypted"));
    }

    /** The receiver accepted it; a paused subscription resumes. Returns whether it was paused. */
    boolean delivered(Due d, int httpStatus) {
        jdbc.sql("""
                        UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), last_http_status = :http,
                            last_error = NULL WHERE delivery_id = :id""")
                .param("http", httpStatus).param("id", d.id()).update();
        return jdbc.sql("""
                        WITH old AS (SELECT subscription_id, paused_at FROM webhook_subscriptions
                                     WHERE subscription_id = :sub AND (consecutive_failures <> 0 OR paused_at IS NOT NULL) FOR UPDATE)
                        UPDATE webhook_subscriptions s SET consecutive_failures = 0, paused_at = NULL, pause_reason = NULL,
                            probe_at = NULL FROM old WHERE s.subscription_id = old.subscription_id
                        RETURNING old.paused_at IS NOT NULL""")
                .param("sub", d.subscriptionId()).query(Boolean.class).optional().orElse(false);
    }

    /**
     * A failed attempt: retried after {@code wait}, or dead-lettered when it has been retried for
     * {@code retryFor}. Returns whether it is dead now.
     */
    boolean failed(Due d, Integer httpStatus, String error, Duration wait, Duration retryFor) {
        return jdbc.sql("""
                        UPDATE webhook_deliveries SET last_http_status = :http, last_error = :error,
                            status = CASE WHEN retry_started_at + CAST(:retryFor AS interval) <= now() THEN 'dead' ELSE 'pending' END,
                            next_attempt_at = now() + CAST(:wait AS interval)
                        WHERE delivery_id = :id RETURNING status = 'dead'""")
                .param("http", httpStatus).param("error", error).param("retryFor", retryFor.toMillis() + " milliseconds")
                .param("wait", wait.toMillis() + " milliseconds").param("id", d.id()).query(Boolean.class).single();
    }

    /** Dead-letters a delivery that can never succeed (its body is too large, its secret unreadable). */
    void dead(Due d, String error) {
        jdbc.sql("UPDATE webhook_deliveries SET status = 'dead', last_error = :error WHERE delivery_id = :id")
                .param("error", error).param("id", d.id()).update();
    }

    /**
     * Counts a failure against the subscription; pauses it (probe after {@code probeInterval}) when this is
     * failure number {@code pauseAfter} in a row. Returns whether this failure paused it.
     */
    boolean countFailure(long subscriptionId, int pauseAfter, String reason, Duration probeInterval) {
        return jdbc.sql("""
                        UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1,
                            paused_at = CASE WHEN paused_at IS NULL AND consecutive_failures + 1 >= :after THEN now() ELSE paused_at END,
                            pause_reason = CASE WHEN paused_at IS NULL AND consecutive_failures + 1 >= :after THEN :reason ELSE pause_reason END,
                            probe_at = CASE WHEN paused_at IS NULL AND consecutive_failures + 1 >= :after
                                THEN now() + CAST(:probe AS interval) ELSE probe_at END
                        WHERE subscription_id = :sub RETURNING paused_at IS NOT NULL AND consecutive_failures = :after""")
                .param("after", pauseAfter).param("reason", reason).param("probe", probeInterval.toMillis() + " milliseconds")
                .param("sub", subscriptionId).query(Boolean.class).optional().orElse(false);
    }

    boolean resume(long subscriptionId) {
        return jdbc.sql("""
                        UPDATE webhook_subscriptions SET paused_at = NULL, pause_reason = NULL, probe_at = NULL,
                            consecutive_failures = 0, updated_at = now() WHERE subscription_id = :sub""")
                .param("sub", subscriptionId).update() == 1;
    }

    /** Deliveries of a subscription, newest first, without their bodies (they hold personal data). */
    List<RawJson> deliveries(long subscriptionId, String status, int limit) {
        return jdbc.sql("""
                        SELECT to_jsonb(d)::text FROM (SELECT delivery_id, event_id, event_type,
                            '***' || right(lead_key, 4) AS lead, status, attempts, next_attempt_at, retry_started_at,
                            last_http_status, last_error, occurred_at, created_at, delivered_at
                            FROM webhook_deliveries WHERE subscription_id = :sub AND (CAST(:status AS text) IS NULL OR status = :status)
                            ORDER BY delivery_id DESC LIMIT :limit) d""")
                .param("sub", subscriptionId).param("status", status).param("limit", limit)
                .query(String.class).list().stream().map(RawJson::new).toList();
    }

    /** A dead letter back in the queue, retried for the full period again; false when there is no such dead letter. */
    boolean redeliver(long subscriptionId, long deliveryId) {
        return jdbc.sql("""
                        UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(),
                            retry_started_at = now() WHERE subscription_id = :sub AND delivery_id = :id AND status = 'dead'""")
                .param("sub", subscriptionId).param("id", deliveryId).update() == 1;
    }

    /** Every dead letter of a subscription back in the queue; returns how many. */
    int redeliverAll(long subscriptionId) {
        return jdbc.sql("""
                        UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(),
                            retry_started_at = now() WHERE subscription_id = :sub AND status = 'dead'""")
                .param("sub", subscriptionId).update();
    }

    /** Pending deliveries per subscription (every enabled subscription present, 0 when none). */
    Map<Long, Long> backlog() {
        Map<Long, Long> out = new HashMap<>();
        jdbc.sql("""
                        SELECT s.subscription_id, count(d.delivery_id) FROM webhook_subscriptions s
                        LEFT JOIN webhook_deliveries d ON d.subscription_id = s.subscription_id AND d.status = 'pending'
                        GROUP BY s.subscription_id""")
                .query((rs, row) -> out.put(rs.getLong(1), rs.getLong(2))).list();
        return out;
    }
}
