package io.flowgate.simulator.report;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the analytics should show for the Flow sessions the simulator drove, in the product's terms
 * (PRODUCT.md, "Analytics semantics"): sessions started, sessions that reached each screen, completed,
 * dropped by last screen, handovers. Counted from the answers the simulator actually received, so the
 * numbers hold whatever the routing rules decided. Keeps the most recent outcomes for sampling.
 */
public final class FlowFunnel {

    static final int RECENT = 10_000;
    private static final String SUCCESS = "SUCCESS";

    private final LongAdder started = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder handovers = new LongAdder();
    private final ConcurrentMap<String, LongAdder> reached = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> droppedAt = new ConcurrentHashMap<>();
    private final ConcurrentMap<FlowJourneyOutcome.Ending, LongAdder> endings = new ConcurrentHashMap<>();
    /** Screens in the order they were first reached, so the funnel reads in Flow order. */
    private final List<String> screenOrder = new CopyOnWriteArrayList<>();
    private final Deque<FlowJourneyOutcome> recent = new ArrayDeque<>();

    /** Lists screens in this order (the Flow's own), before any screen it does not name; SUCCESS stays last. */
    public void order(List<String> screens) {
        synchronized (screenOrder) {
            List<String> seen = List.copyOf(screenOrder);
            screenOrder.clear();
            screenOrder.addAll(screens);
            seen.stream().filter(s -> !screens.contains(s)).forEach(screenOrder::add);
        }
    }

    public void ended(FlowJourneyOutcome outcome) {
        endings.computeIfAbsent(outcome.ending(), e -> new LongAdder()).increment();
        if (outcome.started()) {
            started.increment();
            Set<String> distinct = new LinkedHashSet<>(outcome.screens());
            for (String screen : distinct) {
                if (!screenOrder.contains(screen)) {
                    synchronized (screenOrder) {
                        if (!screenOrder.contains(screen)) {
                            screenOrder.add(screen);
                        }
                    }
                }
                reached.computeIfAbsent(screen, s -> new LongAdder()).increment();
            }
            if (outcome.ending() == FlowJourneyOutcome.Ending.COMPLETED) {
                completed.increment();
            } else {
                // analytics call it a drop once the session has been idle for stale-after
                droppedAt.computeIfAbsent(outcome.lastScreen(), s -> new LongAdder()).increment();
            }
            if (outcome.handover()) {
                handovers.increment();
            }
        }
        synchronized (recent) {
            recent.addLast(outcome);
            if (recent.size() > RECENT) {
                recent.removeFirst();
            }
        }
    }

    public long completed() {
        return completed.sum();
    }

    public long started() {
        return started.sum();
    }

    Summary summary() {
        List<FlowJourneyOutcome> outcomes;
        synchronized (recent) {
            outcomes = List.copyOf(recent);
        }
        Map<FlowJourneyOutcome.Ending, Long> endingCounts = new LinkedHashMap<>();
        for (FlowJourneyOutcome.Ending e : FlowJourneyOutcome.Ending.values()) {
            endingCounts.put(e, endings.containsKey(e) ? endings.get(e).sum() : 0L);
        }
        return new Summary(started.sum(), ordered(reached), completed.sum(), ordered(droppedAt), handovers.sum(),
                endingCounts, outcomes);
    }

    private Map<String, Long> ordered(Map<String, LongAdder> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String screen : screenOrder) {
            LongAdder n = counts.get(screen);
            if (n != null && !SUCCESS.equals(screen)) {
                out.put(screen, n.sum());
            }
        }
        // the reserved completion screen ends every funnel, however early some session first reached it
        if (counts.containsKey(SUCCESS)) {
            out.put(SUCCESS, counts.get(SUCCESS).sum());
        }
        return out;
    }

    /**
     * The funnel at one moment.
     *
     * @param reached   sessions that reached each screen, in Flow order ({@code SUCCESS} included)
     * @param droppedAt sessions that did not complete, by the last screen they reached
     * @param recent    the most recent outcomes (at most {@value #RECENT}), oldest first
     */
    public record Summary(long started, Map<String, Long> reached, long completed, Map<String, Long> droppedAt,
                          long handovers, Map<FlowJourneyOutcome.Ending, Long> endings, List<FlowJourneyOutcome> recent) {
    }
}
