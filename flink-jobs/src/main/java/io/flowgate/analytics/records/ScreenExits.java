package io.flowgate.analytics.records;

/**
 * Screen exits of one (Flow, Flow version, screen) combined in the subtask that emitted them, before they cross the
 * network to that screen's counter ({@code ScreenExitCounter}, which adds them as it would add each exit): what
 * crosses the keyed exchange instead of one {@link ScreenExit} per transition.
 *
 * @param droppedOff  how many of the exits were drop-offs
 * @param movedOn     the times on screen of the moved-on exits that have one (all but the start's), in the counter's
 *                    histogram; {@code null} when there are none
 * @param toScreens   per (next screen, action) path: the next screen; the arrays {@code toScreens}, {@code actions},
 *                    {@code transitions} and {@code latest} are parallel, one entry per path
 * @param actions     per path: the action
 * @param transitions per path: how many exits took it
 * @param latest      per path: event time of the latest exit that took it, epoch milliseconds
 * @param time        event time of the latest exit, epoch milliseconds
 */
public record ScreenExits(String flowId, int flowVersion, String screen, long droppedOff, LatencyStats movedOn,
                          String[] toScreens, String[] actions, long[] transitions, long[] latest, long time) {

    /** The key of the screen's {@code screen_time} row, as {@link ScreenExit#screenKey()}. */
    public String screenKey() {
        return ScreenExit.screenKey(flowId, flowVersion, screen);
    }
}
