package io.flowgate.simulator.report;

import java.util.concurrent.atomic.LongAdder;

/**
 * Everything one run counts, shared by all its users: the requests ({@link Measurements}), the Flow
 * funnel the analytics should show ({@link FlowFunnel}), the scenario checks ({@link ScenarioChecks})
 * and the chat webhooks ({@link ChatCounts}). {@link #report} takes a snapshot for the final table.
 */
public final class Tally {

    private final Measurements requests = new Measurements();
    private final FlowFunnel flows = new FlowFunnel();
    private final ScenarioChecks checks = new ScenarioChecks();
    private final ChatCounts chats = new ChatCounts();
    private final LongAdder turnedAway = new LongAdder();
    private final long startedNanos = System.nanoTime();

    public Measurements requests() {
        return requests;
    }

    public FlowFunnel flows() {
        return flows;
    }

    public ScenarioChecks checks() {
        return checks;
    }

    public ChatCounts chats() {
        return chats;
    }

    /** A user who arrived while the whole population was busy, and so did not start. */
    public void turnedAway() {
        turnedAway.increment();
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /**
     * A snapshot.
     *
     * @param title         what ran, for the table's first line (no secrets)
     * @param graphMessages messages the Graph API stand-in recorded, or -1 when none runs in this process
     */
    public LoadReport report(String title, long graphMessages) {
        double elapsed = elapsedSeconds();
        return new LoadReport(title, elapsed, requests.requests(), requests.errors(), requests.summaries(elapsed),
                requests.errorsByKind(), flows.summary(), checks.summary(), chats.summary(), turnedAway.sum(), graphMessages);
    }
}
