package io.flowgate.events;

import java.time.Instant;

/**
 * A session that saw no event for {@code stale-after} and did not complete: it dropped at
 * {@code lastScreen}. Emitted once per session by the analytics job to {@link Topics#STALE_SESSIONS},
 * keyed by user; routing-api reacts with one re-engagement message.
 *
 * @param eventTime     the moment the session became stale (last activity + stale-after)
 * @param lastEventTime the session's last activity
 */
public record StaleSession(
        String eventId,
        Instant eventTime,
        String flowId,
        String sessionId,
        String userId,
        String lastScreen,
        Instant lastEventTime,
        Instant sessionStartedAt,
        String source) implements FlowgateEvent {

    public static final String TYPE = "stale_session";

    @Override
    public String key() {
        return userId;
    }
}
