package io.flowgate.analytics.records;

import java.util.Map;

/** Every experiment, by id, as read from the database at {@code readAt} (a broadcast snapshot). */
public record ExperimentDefinitions(long readAt, Map<String, ExperimentDefinition> experiments) {
}
