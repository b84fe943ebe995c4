package io.flowgate.analytics.records;

/**
 * One {@code screen_paths} row: how many transitions of one Flow version went from one screen to another with
 * one action, upserted on (flow_id, flow_version, from_screen, to_screen, action).
 *
 * @param fromScreen  the screen left; "" for the session's first transition (its start)
 * @param toScreen    the screen answered ({@code SUCCESS} on completion)
 * @param action      {@code INIT}, {@code data_exchange}, {@code BACK}, {@code chat_message}, or "" when unknown
 * @param updatedAt   event time of the latest transition counted, epoch milliseconds
 */
public record ScreenPathRow(String flowId, int flowVersion, String fromScreen, String toScreen, String action,
                            long transitions, long updatedAt) {
}
