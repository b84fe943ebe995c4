package io.flowgate.simulator.report;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * The live line a load test prints every second, so whoever runs it sees the rate, the latency of the
 * last second and any errors while it happens rather than only at the end.
 */
public final class ProgressLine {

    private final Tally tally;
    private long lastRequests;
    private double lastSeconds;

    public ProgressLine(Tally tally) {
        this.tally = tally;
    }

    /** The line for now; call once a second from one thread. */
    public synchronized String next(long journeysStarted, int journeysActive) {
        double now = tally.elapsedSeconds();
        long requests = tally.requests().requests();
        double rate = (requests - lastRequests) / Math.max(now - lastSeconds, 1e-3);
        lastRequests = requests;
        lastSeconds = now;
        Histogram interval = tally.requests().takeInterval();
        return String.format(Locale.ROOT,
                "[%4.0fs] journeys %d (%d active) | requests %d, %.0f/s, p99 %.1f ms | flows completed %d"
                        + " | webhooks acked %d | unexpected %d | errors %d",
                now, journeysStarted, journeysActive, requests, rate, Measurements.millis(interval, 99),
                tally.flows().completed(), tally.chats().webhooksAcknowledged(), tally.checks().unexpected(),
                tally.requests().errors());
    }
}
