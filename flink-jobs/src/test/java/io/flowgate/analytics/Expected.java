package io.flowgate.analytics;

import io.flowgate.events.EndpointRequest;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.FlowgateEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tables PRODUCT.md's definitions give for a list of published events, computed the plain way: group,
 * sort, walk. Deliberately shares no code with the job, so a bug in the job cannot hide in its own
 * expectations. Rows are rendered as strings in the same shape as {@link AnalyticsDatabase}'s reads.
 */
final class Expected {

    /** A latency alert rule as the test configures it. */
    record Rule(long id, String screen, String percentile, Double thresholdMs, Double errorRate, int windowMinutes) {
    }

    /** The requests of one (screen, action, minute). */
    record Minute(long requests, long errors, long[] sortedMicros) {
        double percentileMillis(double p) {
            return nearestRank(sortedMicros, p) / 1000.0;
        }
    }

    private static final long MINUTE = 60_000;

    final Set<String> screenDropoff = new TreeSet<>();
    final Set<String> staleSessions = new TreeSet<>();
    final Map<String, Minute> endpointLatency = new TreeMap<>();
    /** wa_id|sessions|completed|stale|came back|updated_at. */
    final Set<String> leadCounts = new TreeSet<>();
    /** Users who came back with a new session that went stale itself: the case a comeback must not depend on. */
    final Set<String> comebacksThatWentStaleAgain = new TreeSet<>();
    final Set<String> hotInventory = new TreeSet<>();
    final List<String> alerts = new ArrayList<>();

    static Expected of(List<FlowgateEvent> published, Instant to, Duration staleAfter, Duration demandWindow,
                       Duration demandSlide, long hotDemand, Duration stockoutHorizon, Map<String, Integer> stock,
                       List<Rule> rules) {
        Map<String, FlowgateEvent> distinct = new LinkedHashMap<>();
        published.forEach(e -> distinct.putIfAbsent(e.eventId(), e));
        List<FlowTransition> transitions = new ArrayList<>();
        List<EndpointRequest> requests = new ArrayList<>();
        for (FlowgateEvent e : distinct.values()) {
            if (e instanceof FlowTransition t) {
                transitions.add(t);
            } else if (e instanceof EndpointRequest r) {
                requests.add(r);
            }
        }
        Expected x = new Expected();
        x.sessions(transitions, to.toEpochMilli() - 1, staleAfter.toMillis(), demandWindow.toMillis(),
                demandSlide.toMillis(), hotDemand, stockoutHorizon.toMillis(), stock);
        x.latency(requests);
        x.alerts(requests, rules, to.toEpochMilli());
        return x;
    }

    private void sessions(List<FlowTransition> transitions, long endOfTime, long staleAfter, long window, long slide,
                          long hotDemand, long horizon, Map<String, Integer> stock) {
        Map<String, List<FlowTransition>> bySession = new TreeMap<>();
        transitions.forEach(t -> bySession.computeIfAbsent(t.sessionId(), k -> new ArrayList<>()).add(t));
        Map<String, long[]> rows = new TreeMap<>(); // key -> reached, dropped, completed, updatedAt
        Map<String, int[]> users = new TreeMap<>(); // wa_id -> sessions, completed, stale
        Map<String, List<long[]>> userSessions = new TreeMap<>(); // wa_id -> [started, stale at or -1, last activity, came back]
        Map<String, List<Long>> selections = new TreeMap<>();
        for (List<FlowTransition> steps : bySession.values()) {
            steps.sort(Comparator.comparing(FlowTransition::eventTime).thenComparing(FlowTransition::eventId));
            FlowTransition first = steps.get(0);
            long cohort = first.sessionStartedAt().toEpochMilli() / 3_600_000 * 3_600_000;
            String prefix = first.flowId() + "|" + Instant.ofEpochMilli(cohort) + "|";
            Set<String> reached = new LinkedHashSet<>();
            Map<String, Long> items = new HashMap<>();
            String lastScreen = null;
            Long last = null;
            Long completedAt = null;
            Long staleAt = null;
            long lastActivity = Long.MIN_VALUE;
            boolean cameBack = false;
            for (FlowTransition t : steps) {
                long time = t.eventTime().toEpochMilli();
                lastActivity = Math.max(lastActivity, time);
                if (completedAt == null && staleAt == null && last != null && time - last >= staleAfter) {
                    staleAt = last + staleAfter;
                }
                String item = t.fields().get("item_id");
                if (item != null) {
                    items.putIfAbsent(item, time);
                }
                if (staleAt != null) {
                    cameBack = true;
                    continue;
                }
                String screen = "SUCCESS".equals(t.toScreen()) ? null : t.toScreen();
                if (screen != null && reached.add(screen)) {
                    long[] row = rows.computeIfAbsent(prefix + screen + "|" + t.source(), k -> new long[4]);
                    row[0]++;
                    row[3] = Math.max(row[3], time);
                }
                if (t.completed() && completedAt == null) {
                    completedAt = time;
                }
                last = time;
                lastScreen = screen != null ? screen : lastScreen;
            }
            if (completedAt == null && staleAt == null && last + staleAfter <= endOfTime) {
                staleAt = last + staleAfter;
            }
            for (String screen : reached) {
                long[] row = rows.get(prefix + screen + "|" + first.source());
                if (completedAt != null) {
                    row[2]++;
                    row[3] = Math.max(row[3], completedAt);
                } else if (staleAt != null && screen.equals(lastScreen)) {
                    row[1]++;
                    row[3] = Math.max(row[3], staleAt);
                }
            }
            if (staleAt != null) {
                staleSessions.add(first.sessionId() + "|" + first.userId() + "|" + lastScreen + "|"
                        + Instant.ofEpochMilli(last) + "|" + Instant.ofEpochMilli(staleAt));
            }
            int[] user = users.computeIfAbsent(first.userId(), k -> new int[3]);
            user[0]++;
            user[1] += completedAt != null ? 1 : 0;
            user[2] += staleAt != null ? 1 : 0;
            userSessions.computeIfAbsent(first.userId(), k -> new ArrayList<>()).add(new long[] {
                    first.sessionStartedAt().toEpochMilli(), staleAt == null ? -1 : staleAt, lastActivity, cameBack ? 1 : 0});
            items.forEach((item, time) -> selections.computeIfAbsent(item, k -> new ArrayList<>()).add(time));
        }
        rows.forEach((key, r) -> screenDropoff.add(key + "|" + r[0] + "|" + r[1] + "|" + r[2] + "|" + Instant.ofEpochMilli(r[3])));
        users.forEach((wa, u) -> {
            // came back (docs/analytics.md): activity on a session after it went stale, or a session started at or
            // after the moment another one went stale, whatever became of the new one
            List<long[]> sessions = userSessions.get(wa);
            long firstStale = sessions.stream().filter(x -> x[1] >= 0).mapToLong(x -> x[1]).min().orElse(Long.MAX_VALUE);
            boolean cameBack = sessions.stream().anyMatch(x -> x[3] == 1 || x[0] >= firstStale);
            if (sessions.stream().anyMatch(x -> x[0] >= firstStale && x[1] >= 0)) {
                comebacksThatWentStaleAgain.add(wa);
            }
            long updatedAt = sessions.stream().mapToLong(x -> x[2]).max().orElseThrow();
            leadCounts.add(wa + "|" + u[0] + "|" + u[1] + "|" + u[2] + "|" + cameBack + "|" + Instant.ofEpochMilli(updatedAt));
        });

        // the last window evaluated is the one ending at --to (endOfTime + 1 ms), a slide boundary or not
        long lastBoundary = Math.floorDiv(endOfTime + 1, slide) * slide;
        selections.forEach((item, times) -> {
            long lastBucket = times.stream().mapToLong(t -> Math.floorDiv(t, slide) * slide).max().orElseThrow();
            long end = Math.min(lastBoundary, lastBucket + window + slide);
            long demand = times.stream().filter(t -> t >= end - window && t < end).count();
            Integer s = stock.get(item);
            Long stockout = s == null || demand == 0 ? null : s == 0 ? end : end + (long) ((double) s * window / demand);
            boolean hot = demand >= hotDemand || (stockout != null && stockout - end <= horizon);
            hotInventory.add(item + "|" + demand + "|" + Instant.ofEpochMilli(end) + "|" + s + "|" + hot + "|"
                    + (stockout == null ? null : Instant.ofEpochMilli(stockout)));
        });
    }

    private void latency(List<EndpointRequest> requests) {
        Map<String, List<EndpointRequest>> byKey = new TreeMap<>();
        for (EndpointRequest r : requests) {
            long minute = r.eventTime().toEpochMilli() / MINUTE * MINUTE;
            byKey.computeIfAbsent(r.screen() + "|" + r.action() + "|" + Instant.ofEpochMilli(minute), k -> new ArrayList<>()).add(r);
        }
        byKey.forEach((key, rs) -> endpointLatency.put(key, new Minute(rs.size(),
                rs.stream().filter(r -> r.status() != 200).count(),
                rs.stream().mapToLong(EndpointRequest::latencyMicros).sorted().toArray())));
    }

    private void alerts(List<EndpointRequest> requests, List<Rule> rules, long to) {
        long first = requests.stream().mapToLong(r -> r.eventTime().toEpochMilli()).min().orElseThrow() / MINUTE * MINUTE;
        long lastMinute = requests.stream().mapToLong(r -> r.eventTime().toEpochMilli()).max().orElseThrow() / MINUTE * MINUTE;
        Set<String> firing = new java.util.HashSet<>();
        for (long end = first + MINUTE; end <= Math.min(to, lastMinute + 2 * 60 * MINUTE); end += MINUTE) {
            for (Rule rule : rules) {
                long from = end - rule.windowMinutes() * MINUTE;
                long windowEnd = end;
                List<EndpointRequest> in = requests.stream()
                        .filter(r -> rule.screen().equals("*") || rule.screen().equals(r.screen()))
                        .filter(r -> r.eventTime().toEpochMilli() >= from && r.eventTime().toEpochMilli() < windowEnd)
                        .toList();
                if (rule.percentile() != null) {
                    long[] sorted = in.stream().mapToLong(EndpointRequest::latencyMicros).sorted().toArray();
                    Double value = sorted.length == 0 ? null
                            : nearestRank(sorted, Double.parseDouble(rule.percentile().substring(1))) / 1000.0;
                    step(firing, rule, rule.percentile(), value != null && value > rule.thresholdMs(), end);
                }
                if (rule.errorRate() != null) {
                    Double value = in.isEmpty() ? null : (double) in.stream().filter(r -> r.status() != 200).count() / in.size();
                    step(firing, rule, "error_rate", value != null && value > rule.errorRate(), end);
                }
            }
        }
    }

    private void step(Set<String> firing, Rule rule, String metric, boolean crossed, long windowEnd) {
        String id = rule.id() + "|" + metric;
        if (crossed && firing.add(id)) {
            alerts.add(id + "|FIRING|" + Instant.ofEpochMilli(windowEnd));
        } else if (!crossed && firing.remove(id)) {
            alerts.add(id + "|RESOLVED|" + Instant.ofEpochMilli(windowEnd));
        }
    }

    private static long nearestRank(long[] sorted, double percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }
}
