package io.flowgate.analytics.records;

/**
 * One {@code hot_inventory} row, upserted on item_id: demand in the sliding window ending at
 * {@code windowEnd}, joined with the item's stock.
 *
 * @param stock      the item's stock, or null when the inventory table does not know the item
 * @param stockoutAt estimated stock-out time (epoch milliseconds), or null when there is no demand or no stock figure
 */
public record HotInventoryRow(String itemId, long demand, long windowStart, long windowEnd,
                              Integer stock, boolean hot, Long stockoutAt) {
}
