package io.flowgate.analytics.records;

import java.util.Map;

/**
 * The stock of every item in the {@code inventory} table at one read.
 *
 * @param readAt when the table was read, epoch milliseconds (processing time: for logs only)
 */
public record InventorySnapshot(long readAt, Map<String, Integer> stock) {
}
