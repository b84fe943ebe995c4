package io.flowgate.analytics.records;

/**
 * A session leaving a screen, emitted by the session tracker: with its next request (a transition to
 * {@code toScreen}, whatever the action, {@code BACK} included), or by dropping off (the session went stale
 * on it). The first transition of a session leaves the start, {@code screen} = "".
 *
 * @param flowVersion the Flow version the session started on; 0 when unknown
 * @param screen      the screen left ("" for the start of the session)
 * @param toScreen    the screen answered next ({@code SUCCESS} on completion); "" for a drop-off
 * @param action      the next request's action; "" for a drop-off
 * @param shownMillis how long the screen was shown: from the transition that answered it to this exit (for a
 *                    drop-off, to the moment the session went stale: {@code --stale-after}); -1 for the start
 * @param time        event time of the exit, epoch milliseconds
 */
public record ScreenExit(String flowId, int flowVersion, String screen, String toScreen, String action,
                         boolean droppedOff, long shownMillis, long time) {

    /** The key of the screen's {@code screen_time} row, which also owns the screen's outgoing paths. */
    public String screenKey() {
        return screenKey(flowId, flowVersion, screen);
    }

    /** The key of the {@code screen_time} row of (flow, version, screen). */
    public static String screenKey(String flowId, int flowVersion, String screen) {
        return flowId + '\u001f' + flowVersion + '\u001f' + screen;
    }
}
