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

    /** What the lead score needs of one session, as the definitions give it. */
    private record LeadSession(String id, long started, long last, long lastActivity, Long staleAt, boolean completed,
                               boolean cameBack, int screens, String budget, String industry, String timeline) {
    }

    /** How long one screen of one Flow version was shown: the views left with a request, and the drop-offs. */
    record ScreenTime(long[] sortedMovedOnMillis, long droppedOff, long updatedAt) {
        long views() {
            return sortedMovedOnMillis.length + droppedOff;
        }

        /** Nearest rank over all views, a drop-off counting as {@code staleAfter} (above every moved-on view). */
        double percentileMillis(int percentile, long staleAfter) {
            long rank = Math.max(1, (percentile * views() + 99) / 100);
            return rank <= sortedMovedOnMillis.length ? sortedMovedOnMillis[(int) rank - 1] : staleAfter;
        }

        double movedOnPercentileMillis(int percentile) {
            int n = sortedMovedOnMillis.length;
            return n == 0 ? 0 : sortedMovedOnMillis[Math.max(1, (percentile * n + 99) / 100) - 1];
        }
    }

    private static final long MINUTE = 60_000;

    final Set<String> screenDropoff = new TreeSet<>();
    /** flow|version|cohort|screen|source|reached|dropped|completed|updated_at */
    final Set<String> screenDropoffByVersion = new TreeSet<>();
    /** flow|version|screen → its views */
    final Map<String, ScreenTime> screenTime = new TreeMap<>();
    /** flow|version|from|to|action|transitions|updated_at */
    final Set<String> screenPaths = new TreeSet<>();
    final Set<String> staleSessions = new TreeSet<>();
    final Map<String, Minute> endpointLatency = new TreeMap<>();
    /** wa_id|sessions|completed|stale|came back|updated_at|score|tier, for the default lead model. */
    final Set<String> leadCounts = new TreeSet<>();
    /** Users who came back with a new session that went stale itself: the case a comeback must not depend on. */
    final Set<String> comebacksThatWentStaleAgain = new TreeSet<>();
    final Set<String> hotInventory = new TreeSet<>();
    final List<String> alerts = new ArrayList<>();
    /** experiment|variant|sessions|finished|completed|conversions|requests|errors|evaluated_at (docs/experiments.md) */
    final Set<String> experimentResults = new TreeSet<>();
    /** experiment|variant → the latencies (µs) of its endpoint requests, sorted */
    final Map<String, long[]> experimentLatencies = new TreeMap<>();
    /** experiment|variant|screen|reached|dropped|completed|updated_at */
    final Set<String> experimentScreens = new TreeSet<>();
    /** experiment|variant → the p90 latency guardrail stop, for the experiments given to {@link #of} */
    final Map<String, Stop> experimentStops = new TreeMap<>();

    /** A treatment stopped by the p90 latency guardrail: at which look, on how many requests, what was seen. */
    record Stop(long at, long sampleSize, double observedMillis, Double controlObservedMillis) {
    }

    static Expected of(List<FlowgateEvent> published, Instant to, Duration staleAfter, Duration demandWindow,
                       Duration demandSlide, long hotDemand, Duration stockoutHorizon, Map<String, Integer> stock,
                       List<Rule> rules) {
        return of(published, to, staleAfter, demandWindow, demandSlide, hotDemand, stockoutHorizon, stock, rules, null);
    }

    /** The same, with the experiment's p90 latency guardrail judged ({@code experiment} may be null). */
    static Expected of(List<FlowgateEvent> published, Instant to, Duration staleAfter, Duration demandWindow,
                       Duration demandSlide, long hotDemand, Duration stockoutHorizon, Map<String, Integer> stock,
                       List<Rule> rules, AnalyticsDatabase.Experiment experiment) {
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
        x.experiments(transitions, requests, to.toEpochMilli() - 1, staleAfter.toMillis(), experiment);
        return x;
    }

    private void sessions(List<FlowTransition> transitions, long endOfTime, long staleAfter, long window, long slide,
                          long hotDemand, long horizon, Map<String, Integer> stock) {
        Map<String, List<FlowTransition>> bySession = new TreeMap<>();
        transitions.forEach(t -> bySession.computeIfAbsent(t.sessionId(), k -> new ArrayList<>()).add(t));
        Map<String, long[]> rows = new TreeMap<>(); // key -> reached, dropped, completed, updatedAt
        Map<String, long[]> versionRows = new TreeMap<>();
        Map<String, List<Long>> movedOn = new TreeMap<>();
        Map<String, long[]> droppedOff = new TreeMap<>(); // key -> drop-offs, updatedAt (of any exit)
        Map<String, long[]> paths = new TreeMap<>(); // key -> transitions, updatedAt
        Map<String, List<LeadSession>> users = new TreeMap<>();
        Map<String, List<Long>> selections = new TreeMap<>();
        for (List<FlowTransition> steps : bySession.values()) {
            steps.sort(Comparator.comparing(FlowTransition::eventTime).thenComparing(FlowTransition::eventId));
            FlowTransition first = steps.get(0);
            long cohort = first.sessionStartedAt().toEpochMilli() / 3_600_000 * 3_600_000;
            String prefix = first.flowId() + "|" + Instant.ofEpochMilli(cohort) + "|";
            int version = first.flowVersion() == null ? 0 : first.flowVersion();
            String flowVersion = first.flowId() + "|" + version + "|";
            String versionPrefix = flowVersion + Instant.ofEpochMilli(cohort) + "|";
            Set<String> reached = new LinkedHashSet<>();
            Map<String, Long> items = new HashMap<>();
            String lastScreen = null;
            Long last = null;
            Long completedAt = null;
            Long staleAt = null;
            long lastActivity = Long.MIN_VALUE;
            boolean cameBack = false;
            Map<String, String> answers = new HashMap<>();
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
                // the session's latest answer to each question, also one given after it went stale
                for (String question : List.of("budget", "industry", "timeline")) {
                    if (t.fields().get(question) != null) {
                        answers.put(question, t.fields().get(question));
                    }
                }
                if (staleAt != null) {
                    cameBack = true;
                    continue;
                }
                if (completedAt == null) {
                    // the screen shown last is left with this request
                    String left = lastScreen == null ? "" : lastScreen;
                    long[] path = paths.computeIfAbsent(flowVersion + left + "|" + t.toScreen() + "|" + t.action(), k -> new long[2]);
                    path[0]++;
                    path[1] = Math.max(path[1], time);
                    long[] exits = droppedOff.computeIfAbsent(flowVersion + left, k -> new long[2]);
                    exits[1] = Math.max(exits[1], time);
                    if (last != null) {
                        movedOn.computeIfAbsent(flowVersion + left, k -> new ArrayList<>()).add(time - last);
                    }
                }
                String screen = "SUCCESS".equals(t.toScreen()) ? null : t.toScreen();
                if (screen != null && reached.add(screen)) {
                    for (long[] row : List.of(rows.computeIfAbsent(prefix + screen + "|" + t.source(), k -> new long[4]),
                            versionRows.computeIfAbsent(versionPrefix + screen + "|" + t.source(), k -> new long[4]))) {
                        row[0]++;
                        row[3] = Math.max(row[3], time);
                    }
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
                for (long[] row : List.of(rows.get(prefix + screen + "|" + first.source()),
                        versionRows.get(versionPrefix + screen + "|" + first.source()))) {
                    if (completedAt != null) {
                        row[2]++;
                        row[3] = Math.max(row[3], completedAt);
                    } else if (staleAt != null && screen.equals(lastScreen)) {
                        row[1]++;
                        row[3] = Math.max(row[3], staleAt);
                    }
                }
            }
            if (staleAt != null && lastScreen != null) {
                long[] exits = droppedOff.computeIfAbsent(flowVersion + lastScreen, k -> new long[2]);
                exits[0]++;
                exits[1] = Math.max(exits[1], staleAt);
            }
            if (staleAt != null) {
                staleSessions.add(first.sessionId() + "|" + first.userId() + "|" + lastScreen + "|"
                        + Instant.ofEpochMilli(last) + "|" + Instant.ofEpochMilli(staleAt));
            }
            users.computeIfAbsent(first.userId(), k -> new ArrayList<>()).add(new LeadSession(first.sessionId(),
                    first.sessionStartedAt().toEpochMilli(), last, lastActivity, staleAt, completedAt != null, cameBack,
                    reached.size(), answers.get("budget"), answers.get("industry"), answers.get("timeline")));
            items.forEach((item, time) -> selections.computeIfAbsent(item, k -> new ArrayList<>()).add(time));
        }
        rows.forEach((key, r) -> screenDropoff.add(key + "|" + r[0] + "|" + r[1] + "|" + r[2] + "|" + Instant.ofEpochMilli(r[3])));
        versionRows.forEach((key, r) -> screenDropoffByVersion.add(key + "|" + r[0] + "|" + r[1] + "|" + r[2] + "|"
                + Instant.ofEpochMilli(r[3])));
        paths.forEach((key, p) -> screenPaths.add(key + "|" + p[0] + "|" + Instant.ofEpochMilli(p[1])));
        droppedOff.forEach((key, d) -> {
            if (!key.endsWith("|")) { // the start of a session ("" screen) has paths, no time on screen
                screenTime.put(key, new ScreenTime(movedOn.getOrDefault(key, List.of()).stream().mapToLong(Long::longValue)
                        .sorted().toArray(), d[0], d[1]));
            }
        });
        users.forEach((wa, sessions) -> leadCounts.add(wa + "|" + leadRow(wa, sessions)));

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

    /**
     * sessions|completed|stale|came back|updated_at|score|tier of one user, by docs/analytics.md's lead model with
     * its default weights (all sessions are within the default 30-day retention).
     */
    private String leadRow(String wa, List<LeadSession> sessions) {
        long completed = sessions.stream().filter(LeadSession::completed).count();
        long stale = sessions.stream().filter(x -> x.staleAt() != null).count();
        // came back: activity on a session after it went stale, or a session started at or after the moment
        // another one went stale, whatever became of the new one
        long firstStale = sessions.stream().filter(x -> x.staleAt() != null).mapToLong(LeadSession::staleAt).min()
                .orElse(Long.MAX_VALUE);
        boolean cameBack = sessions.stream().anyMatch(x -> x.cameBack() || x.started() >= firstStale);
        if (sessions.stream().anyMatch(x -> x.started() >= firstStale && x.staleAt() != null)) {
            comebacksThatWentStaleAgain.add(wa);
        }
        long updatedAt = sessions.stream().mapToLong(LeadSession::lastActivity).max().orElseThrow();

        // the most recent session (by its last transition counted) that answered a question wins
        List<LeadSession> byRecency = new ArrayList<>(sessions);
        byRecency.sort(Comparator.comparingLong(LeadSession::last).thenComparing(LeadSession::id));
        String budget = null;
        String industry = null;
        String timeline = null;
        for (LeadSession x : byRecency) {
            budget = x.budget() != null ? x.budget() : budget;
            industry = x.industry() != null ? x.industry() : industry;
            timeline = x.timeline() != null ? x.timeline() : timeline;
        }
        int score = 0;
        String digits = budget == null ? "" : budget.replaceAll("[^0-9.]", "");
        double amount = digits.isEmpty() || digits.indexOf('.') != digits.lastIndexOf('.') ? -1 : Double.parseDouble(digits);
        score += amount >= 10_000 ? 30 : amount >= 1_000 ? 15 : 0;
        String normIndustry = industry == null ? "" : industry.trim().toLowerCase(java.util.Locale.ROOT).replace(' ', '_').replace('-', '_');
        score += Set.of("retail", "ecommerce", "real_estate", "automotive", "finance").contains(normIndustry) ? 15 : 0;
        String normTimeline = timeline == null ? "" : timeline.trim().toLowerCase(java.util.Locale.ROOT).replace(' ', '_').replace('-', '_');
        score += Set.of("now", "immediately", "asap", "this_week", "this_month", "1_month").contains(normTimeline) ? 20
                : Set.of("1_3_months", "3_months", "this_quarter", "next_quarter").contains(normTimeline) ? 10 : 0;
        score += completed > 0 ? 20 : 0;
        double[] perScreen = sessions.stream().filter(x -> x.screens() >= 2 && x.last() >= x.started())
                .mapToDouble(x -> (x.last() - x.started()) / 1000.0 / x.screens()).toArray();
        if (perScreen.length > 0) {
            double average = java.util.Arrays.stream(perScreen).sum() / perScreen.length;
            score += average <= 30 ? 10 : average <= 120 ? 5 : 0;
        }
        score -= 10 * Math.min(stale, 2);
        score += cameBack ? 10 : 0;
        score = Math.max(0, Math.min(100, score));
        String tier = score >= 70 ? "hot" : score >= 40 ? "warm" : "cold";
        return sessions.size() + "|" + completed + "|" + stale + "|" + cameBack + "|" + Instant.ofEpochMilli(updatedAt)
                + "|" + score + "|" + tier;
    }

    /**
     * The experiment tables as docs/experiments.md defines them: a session of an experiment counts as started;
     * it is measured at its start + 2 stale-afters (if that is within the run): completed by then, the screens
     * it reached by then, and the screen it dropped at if it had gone stale by then. Requests count by variant.
     * The job looks once per event-time minute that brought the experiment anything (a start, a measurement, a
     * request), at the minute's end; its rows carry the last look. The guardrail: the first look at which the
     * treatment has at least 50 requests and their p90 is above the limit, the control having been seen.
     */
    private void experiments(List<FlowTransition> transitions, List<EndpointRequest> requests, long endOfTime,
                             long staleAfter, AnalyticsDatabase.Experiment experiment) {
        Map<String, List<FlowTransition>> bySession = new TreeMap<>();
        transitions.stream().filter(t -> t.experimentId() != null)
                .forEach(t -> bySession.computeIfAbsent(t.sessionId(), k -> new ArrayList<>()).add(t));
        Map<String, long[]> counts = new TreeMap<>(); // experiment|variant -> sessions, finished, completed
        Map<String, long[]> screens = new TreeMap<>(); // experiment|variant|screen -> reached, dropped, completed
        Map<String, List<Long>> inputs = new TreeMap<>(); // experiment|variant -> times of its inputs
        for (List<FlowTransition> steps : bySession.values()) {
            steps.sort(Comparator.comparing(FlowTransition::eventTime).thenComparing(FlowTransition::eventId));
            FlowTransition first = steps.get(0);
            String key = first.experimentId() + "|" + first.variant();
            long[] c = counts.computeIfAbsent(key, k -> new long[3]);
            c[0]++;
            inputs.computeIfAbsent(key, k -> new ArrayList<>()).add(first.eventTime().toEpochMilli());
            long measureAt = first.sessionStartedAt().toEpochMilli() + 2 * staleAfter;
            if (measureAt > endOfTime) {
                continue;
            }
            inputs.get(key).add(measureAt);
            Set<String> reached = new LinkedHashSet<>();
            boolean completed = false;
            boolean stale = false;
            String lastScreen = null;
            long last = Long.MIN_VALUE;
            for (FlowTransition t : steps) {
                long time = t.eventTime().toEpochMilli();
                if (time > measureAt || completed) {
                    break;
                }
                if (last != Long.MIN_VALUE && time - last >= staleAfter) {
                    stale = true;
                    break;
                }
                if (!"SUCCESS".equals(t.toScreen())) {
                    reached.add(t.toScreen());
                    lastScreen = t.toScreen();
                }
                completed = t.completed();
                last = time;
            }
            stale = stale || (!completed && last + staleAfter <= measureAt);
            c[1]++;
            c[2] += completed ? 1 : 0;
            for (String screen : reached) {
                long[] row = screens.computeIfAbsent(key + "|" + screen, k -> new long[3]);
                row[0]++;
                row[1] += stale && !completed && screen.equals(lastScreen) ? 1 : 0;
                row[2] += completed ? 1 : 0;
            }
        }
        Map<String, List<EndpointRequest>> calls = new TreeMap<>();
        for (EndpointRequest r : requests) {
            if (r.experimentId() != null) {
                String key = r.experimentId() + "|" + r.variant();
                calls.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
                inputs.computeIfAbsent(key, k -> new ArrayList<>()).add(r.eventTime().toEpochMilli());
                counts.computeIfAbsent(key, k -> new long[3]);
            }
        }
        Map<String, Long> lastLook = new TreeMap<>();
        inputs.forEach((key, times) -> lastLook.merge(key.substring(0, key.indexOf('|')),
                times.stream().mapToLong(t -> lookAt(t)).max().orElseThrow(), Math::max));
        counts.forEach((key, c) -> {
            List<EndpointRequest> rs = calls.getOrDefault(key, List.of());
            String at = Instant.ofEpochMilli(lastLook.get(key.substring(0, key.indexOf('|')))).toString();
            experimentResults.add(key + "|" + c[0] + "|" + c[1] + "|" + c[2] + "|" + c[2] + "|" + rs.size() + "|"
                    + rs.stream().filter(r -> r.status() != 200).count() + "|" + at);
            experimentLatencies.put(key, rs.stream().mapToLong(EndpointRequest::latencyMicros).sorted().toArray());
        });
        screens.forEach((key, row) -> experimentScreens.add(key + "|" + row[0] + "|" + row[1] + "|" + row[2] + "|"
                + Instant.ofEpochMilli(lastLook.get(key.substring(0, key.indexOf('|'))))));

        if (experiment != null) {
            String control = experiment.id() + "|" + experiment.variants().get(0);
            List<Long> looks = inputs.entrySet().stream().filter(e -> e.getKey().startsWith(experiment.id() + "|"))
                    .flatMap(e -> e.getValue().stream()).map(Expected::lookAt).distinct().sorted().toList();
            for (String treatment : experiment.variants().subList(1, experiment.variants().size())) {
                String key = experiment.id() + "|" + treatment;
                for (long look : looks) {
                    boolean controlSeen = inputs.getOrDefault(control, List.of()).stream().anyMatch(t -> lookAt(t) <= look);
                    long[] seen = before(calls.getOrDefault(key, List.of()), look);
                    if (controlSeen && seen.length >= 50 && nearestRank(seen, 90) / 1000.0 > experiment.maxP90LatencyMs()) {
                        long[] controlSeenCalls = before(calls.getOrDefault(control, List.of()), look);
                        experimentStops.put(key, new Stop(look, seen.length, nearestRank(seen, 90) / 1000.0,
                                controlSeenCalls.length == 0 ? null : nearestRank(controlSeenCalls, 90) / 1000.0));
                        break;
                    }
                }
            }
        }
    }

    /** The look an input at {@code time} is part of: the end of its event-time minute. */
    private static long lookAt(long time) {
        return Math.floorDiv(time, MINUTE) * MINUTE + MINUTE;
    }

    private static long[] before(List<EndpointRequest> requests, long look) {
        return requests.stream().filter(r -> r.eventTime().toEpochMilli() < look)
                .mapToLong(EndpointRequest::latencyMicros).sorted().toArray();
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

    static long nearestRank(long[] sorted, double percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }
}
