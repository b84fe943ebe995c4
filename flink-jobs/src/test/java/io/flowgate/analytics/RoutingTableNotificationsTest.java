package io.flowgate.analytics;

import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The V14 triggers: routing-api hears about lead and item rows when, and only when, a rule could see a change. */
class RoutingTableNotificationsTest {

    private static final String LEAD = "INSERT INTO lead_scores (wa_id, score, tier, reasons, updated_at) VALUES ('u1', %d, '%s', '[]', '%s') "
            + "ON CONFLICT (wa_id) DO UPDATE SET score = EXCLUDED.score, tier = EXCLUDED.tier, updated_at = EXCLUDED.updated_at";
    private static final String ITEM = "INSERT INTO hot_inventory (item_id, demand, window_start, window_end, stock, hot, updated_at) "
            + "VALUES ('sku-1', %d, '2026-11-20T09:00:00Z', '%s', 5, false, '%s') ON CONFLICT (item_id) DO UPDATE SET "
            + "demand = EXCLUDED.demand, window_end = EXCLUDED.window_end, updated_at = EXCLUDED.updated_at";

    @Test
    void analyticsRowsAreAnnouncedOnlyWhenWhatRulesReadChanges() throws Exception {
        AnalyticsDatabase db = AnalyticsDatabase.create("notify", Map.of(), List.of());
        try (Connection listener = db.connect(); Connection writer = db.connect()) {
            listener.createStatement().execute("LISTEN flowgate_changes");

            writer.createStatement().execute(LEAD.formatted(40, "warm", "2026-11-20T10:00:00Z"));
            writer.createStatement().execute(LEAD.formatted(40, "warm", "2026-11-20T10:00:05Z"));
            writer.createStatement().execute(LEAD.formatted(75, "hot", "2026-11-20T10:00:09Z"));
            writer.createStatement().execute(ITEM.formatted(3, "2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z"));
            writer.createStatement().execute(ITEM.formatted(3, "2026-11-20T10:01:00Z", "2026-11-20T10:01:00Z"));
            writer.createStatement().execute(ITEM.formatted(4, "2026-11-20T10:02:00Z", "2026-11-20T10:02:00Z"));

            assertThat(notifications(listener)).containsExactly(
                    "lead_scores:u1", "lead_scores:u1", "hot_inventory:sku-1", "hot_inventory:sku-1");
        }
    }

    private static List<String> notifications(Connection listener) throws Exception {
        List<String> seen = new ArrayList<>();
        PGNotification[] batch;
        // a round trip delivers what was sent before it
        while ((batch = listener.unwrap(PGConnection.class).getNotifications(500)) != null && batch.length > 0) {
            for (PGNotification n : batch) {
                seen.add(n.getParameter());
            }
        }
        return seen;
    }
}
