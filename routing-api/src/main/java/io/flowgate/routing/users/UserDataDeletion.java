package io.flowgate.routing.users;

import io.flowgate.meta.Masked;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deletes what routing-api keeps about one user, on the user's request, in one transaction: the lead,
 * the processed message ids, the delivery statuses, the Flow sessions, the outgoing messages (queued or
 * sent: they hold what was said to the user) and the webhook deliveries (their bodies hold the answers), and, where the analytics tables exist in this database, the
 * user's lead score and stale sessions. A user known by both a phone number and a business-scoped id is
 * deleted under both. What stays elsewhere (Kafka topics until their retention) is listed in docs/chat.md.
 */
@Service
class UserDataDeletion {

    private static final Logger log = LoggerFactory.getLogger(UserDataDeletion.class);

    /** A table holding the user's rows, and its column with the user id. */
    private record Table(String name, String userColumn) {
    }

    private static final List<Table> TABLES = List.of(
            new Table("lead_qualifications", "wa_id"),
            new Table("processed_messages", "wa_id"),
            new Table("message_statuses", "wa_id"),
            new Table("flow_sessions", "wa_id"),
            new Table("outgoing_messages", "wa_id"),
            // webhook bodies carry the lead's answers; what was delivered already is the receiver's to delete
            new Table("webhook_deliveries", "lead_key"));
    /** Analytics tables written by flink-jobs, which may live in another database. */
    private static final List<Table> ANALYTICS_TABLES = List.of(
            new Table("lead_scores", "wa_id"),
            new Table("stale_sessions", "user_id"));

    private final JdbcClient jdbc;

    UserDataDeletion(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Deletes the user's rows; returns how many were deleted, by table (zeros when nothing was known). */
    @Transactional
    Map<String, Integer> delete(String userId) {
        // the lead first, locked: a message being processed for this user finishes before, or starts after
        List<Map<String, Object>> leads = jdbc.sql("SELECT wa_id, send_to FROM lead_qualifications WHERE wa_id = :id OR send_to = :id FOR UPDATE")
                .param("id", userId).query().listOfRows();
        Set<String> ids = new LinkedHashSet<>();
        ids.add(userId);
        leads.forEach(row -> {
            ids.add((String) row.get("wa_id"));
            ids.add((String) row.get("send_to"));
        });
        Map<String, Integer> deleted = new LinkedHashMap<>();
        for (Table table : TABLES) {
            deleted.put(table.name(), deleteFrom(table, ids));
        }
        for (Table table : ANALYTICS_TABLES) {
            if (jdbc.sql("SELECT to_regclass(:t) IS NOT NULL").param("t", table.name()).query(Boolean.class).single()) {
                deleted.put(table.name(), deleteFrom(table, ids));
            }
        }
        log.info("data of user {} deleted on request: {}", Masked.id(userId), deleted);
        return deleted;
    }

    private int deleteFrom(Table table, Set<String> ids) {
        // table and column come from the constants above, never from the request
        return jdbc.sql("DELETE FROM " + table.name() + " WHERE " + table.userColumn() + " IN (:ids)").param("ids", ids).update();
    }
}
