package io.flowgate.simulator.report;

import java.util.List;

/**
 * How one simulated user's Flow session ended, as the simulator saw it: the screens its answers showed
 * (in order, repeats included), and whether it completed, was handed over, stopped on purpose, was
 * refused as planned, failed or was cut off by the end of the run. The test compares a sample with
 * what routing-api stored.
 *
 * @param sessionId the session id minted by routing-api, or null when minting failed
 * @param plan      what the user set out to do, in words (for reports and failing tests)
 */
public record FlowJourneyOutcome(String sessionId, String waId, String plan, List<String> screens, Ending ending,
                                 boolean handover) {

    /** Why the journey ended. */
    public enum Ending {
        /** The final answer was {@code SUCCESS}. */
        COMPLETED,
        /** The user simply stopped on a screen, as planned. */
        DROPPED,
        /** The token had expired and the endpoint refused it with 427, as planned. */
        REFUSED,
        /** A request failed or was answered unexpectedly; the user gave up. */
        FAILED,
        /** The run ended first. */
        CUT_OFF
    }

    public FlowJourneyOutcome {
        screens = List.copyOf(screens);
    }

    /** The last screen an answer showed ({@code SUCCESS} when completed), or null when none was shown. */
    public String lastScreen() {
        return screens.isEmpty() ? null : screens.get(screens.size() - 1);
    }

    /** Whether the session started, i.e. an {@code INIT} was answered with a screen. */
    public boolean started() {
        return !screens.isEmpty();
    }
}
