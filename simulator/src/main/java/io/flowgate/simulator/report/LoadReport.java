package io.flowgate.simulator.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a run, as numbers for code (the integration test asserts on them) and as the table
 * printed at the end of a load test: requests per second and latency percentiles per request kind,
 * errors by kind, the Flow funnel the analytics should show, the scenario checks and the chat webhooks.
 *
 * @param turnedAway    users who arrived while the whole population was busy, and so did not start
 * @param graphMessages messages recorded by the Graph API stand-in of this process, -1 when none ran
 */
public record LoadReport(String title, double elapsedSeconds, long requests, long errors,
                         List<Measurements.KindSummary> kinds, Map<String, Long> errorsByKind,
                         FlowFunnel.Summary flows, ScenarioChecks.Summary checks, ChatCounts.Summary chats,
                         long turnedAway, long graphMessages) {

    private static final String ROW = "  %-40s %9s %8s %8s %8s %8s %9s %7s%n";

    /** The final table, as printed by the command line. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(title).append('\n');
        out.append(String.format(Locale.ROOT, "ran %.1f s: %d requests (%.1f/s), %d errors%n", elapsedSeconds, requests,
                requests / Math.max(elapsedSeconds, 1e-3), errors));
        if (turnedAway > 0) {
            out.append(turnedAway).append(" arrivals turned away: the whole population was busy (raise --users)\n");
        }
        out.append('\n');
        out.append(String.format(Locale.ROOT, ROW, "request kind", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms",
                "max ms", "errors"));
        for (Measurements.KindSummary k : kinds) {
            out.append(String.format(Locale.ROOT, ROW, k.kind(), k.requests(), fixed(k.perSecond()), fixed(k.p50()),
                    fixed(k.p90()), fixed(k.p99()), fixed(k.max()), k.errors()));
        }
        out.append("\nerrors by kind\n");
        if (errorsByKind.isEmpty()) {
            out.append("  none\n");
        }
        errorsByKind.forEach((kind, n) -> line(out, kind, n));

        out.append("\nexpected in the analytics (Flow sessions; a drop shows once the session is idle for stale-after)\n");
        line(out, "sessions started", flows.started());
        flows.reached().forEach((screen, n) -> line(out, "reached " + screen, n));
        line(out, "completed", flows.completed());
        flows.droppedAt().forEach((screen, n) -> line(out, "dropped at " + screen, n));
        line(out, "handovers", flows.handovers());
        StringBuilder endings = new StringBuilder();
        flows.endings().forEach((ending, n) -> endings.append(endings.length() == 0 ? "" : ", ")
                .append(ending.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(' ').append(n));
        out.append("  journeys: ").append(endings).append('\n');

        out.append("\nscenario checks\n");
        line(out, "unexpected answers", checks.unexpected());
        for (String example : checks.examples()) {
            out.append("    e.g. ").append(example).append('\n');
        }
        line(out, "double taps answered identically", checks.doubleTapsIdentical() + " of " + checks.doubleTaps());
        line(out, "expired tokens refused with 427", checks.expiredTokensRefused() + " of " + checks.expiredTokens());
        line(out, "back presses", checks.backPresses());

        out.append("\nchats (signed webhooks to ingest-api)\n");
        if (chats.conversations() == 0 && chats.skipped() == 0) {
            out.append("  none\n");
        } else {
            chatLines(out);
        }
        if (graphMessages >= 0) {
            line(out, "messages sent to the Graph API stand-in", graphMessages);
        }
        return out.toString();
    }

    private void chatLines(StringBuilder out) {
        line(out, "conversations started", chats.conversations());
        line(out, "answered every question", chats.conversationsFinished() - chats.stoppedHalfway());
        line(out, "stopped halfway (stale leads)", chats.stoppedHalfway());
        line(out, "messages (invalid answers among them)", chats.messages() + " (" + chats.invalidAnswers() + ")");
        line(out, "duplicates resent", chats.duplicates());
        line(out, "pairs delivered in reverse order", chats.reorderedPairs());
        line(out, "statuses (sent/delivered/read)", chats.statuses());
        line(out, "webhooks acknowledged (200)", chats.acknowledged());
        if (chats.skipped() > 0) {
            line(out, "chat users skipped: ingest-api unreachable", chats.skipped());
        }
    }

    private static void line(StringBuilder out, String label, Object value) {
        out.append(String.format(Locale.ROOT, "  %-48s %12s%n", label, value));
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
    }
}
