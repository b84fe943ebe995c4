package io.flowgate.analytics.records;

/** A session selected an inventory item: counted once per (session, item) as demand for the item. */
public record ItemSelection(String itemId, String sessionId, long eventTime) {
}
