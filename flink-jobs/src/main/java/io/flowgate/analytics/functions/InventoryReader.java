package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.InventorySnapshot;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Reads every item's stock from the routing table {@code inventory} (V2, owned by routing-api). */
public final class InventoryReader extends TableSnapshotReader<InventorySnapshot> {

    static final String QUERY = "SELECT item_id, stock FROM inventory";

    public InventoryReader(String jdbcUrl, String user, String password) {
        super(jdbcUrl, user, password);
    }

    @Override
    protected InventorySnapshot read(Connection connection) throws SQLException {
        Map<String, Integer> stock = new HashMap<>();
        try (var st = connection.prepareStatement(QUERY); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                stock.put(rs.getString(1), rs.getInt(2));
            }
        }
        return new InventorySnapshot(System.currentTimeMillis(), stock);
    }
}
