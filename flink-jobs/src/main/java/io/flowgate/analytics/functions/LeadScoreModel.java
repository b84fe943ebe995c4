package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.LeadScoreRow;
import io.flowgate.analytics.records.SessionSummary;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The lead-score model: points for what the user answered (budget, industry, timeline) and for how they
 * behaved (answer speed, completion, drop-offs, re-engagement), summed and clamped to 0–100. Every
 * weight and threshold is a job option (see docs/analytics.md); the defaults give a perfect lead 100.
 *
 * @param budgetWeight       points for a budget at or above {@code budgetHigh}; half of them at or above {@code budgetMid}
 * @param industryWeight     points for an industry in {@code targetIndustries}
 * @param timelineWeight     points for a timeline in {@code urgentTimelines}; half of them for {@code soonTimelines}
 * @param completionWeight   points for having completed at least one session
 * @param speedWeight        points when the user's sessions (those with two screens or more) took {@code fastStepSeconds}
 *                           or less per screen on average; half of them within 4×
 * @param dropoffPenalty     points taken per session that went stale, at most twice
 * @param reengagementWeight points for coming back after a session went stale: activity on it afterwards, or a
 *                           session started at or after the moment it went stale (whether or not that one
 *                           completes or goes stale itself)
 * @param hotThreshold       score from which the tier is {@code hot}
 * @param warmThreshold      score from which the tier is {@code warm} (below: {@code cold})
 */
public record LeadScoreModel(
        int budgetWeight,
        int industryWeight,
        int timelineWeight,
        int completionWeight,
        int speedWeight,
        int dropoffPenalty,
        int reengagementWeight,
        double budgetHigh,
        double budgetMid,
        Set<String> targetIndustries,
        Set<String> urgentTimelines,
        Set<String> soonTimelines,
        long fastStepSeconds,
        int hotThreshold,
        int warmThreshold) implements Serializable {

    public static final String HOT = "hot";
    public static final String WARM = "warm";
    public static final String COLD = "cold";

    private static final Comparator<SessionSummary> CHRONOLOGICAL = Comparator
            .comparingLong(SessionSummary::lastEventTime).thenComparing(SessionSummary::sessionId);

    public LeadScoreModel {
        targetIndustries = normalized(targetIndustries);
        urgentTimelines = normalized(urgentTimelines);
        soonTimelines = normalized(soonTimelines);
    }

    public static LeadScoreModel defaults() {
        return new LeadScoreModel(30, 15, 20, 20, 10, 10, 10, 10_000, 1_000,
                Set.of("retail", "ecommerce", "real_estate", "automotive", "finance"),
                Set.of("now", "immediately", "asap", "this_week", "this_month", "1_month"),
                Set.of("1_3_months", "3_months", "this_quarter", "next_quarter"),
                30, 70, 40);
    }

    /** Scores a user from the sessions of theirs still in the model's memory. */
    public LeadScoreRow score(String waId, List<SessionSummary> sessions, long updatedAt) {
        List<SessionSummary> ordered = new ArrayList<>(sessions);
        ordered.sort(CHRONOLOGICAL);
        String budget = null;
        String industry = null;
        String timeline = null;
        int completed = 0;
        int stale = 0;
        boolean reengaged = false;
        long firstStaleAt = Long.MAX_VALUE;
        for (SessionSummary s : ordered) {
            if (s.stale()) {
                firstStaleAt = Math.min(firstStaleAt, s.wentStaleAt());
            }
        }
        double stepSecondsSum = 0;
        int timedSessions = 0;
        for (SessionSummary s : ordered) {
            // the most recent session that answered a question wins
            budget = s.budget() != null ? s.budget() : budget;
            industry = s.industry() != null ? s.industry() : industry;
            timeline = s.timeline() != null ? s.timeline() : timeline;
            completed += s.completed() ? 1 : 0;
            // a comeback: activity on a session after it went stale, or a session started after another went
            // stale, whatever became of it; one started before that (the user switched sessions) is none
            reengaged |= s.reengaged() || s.startedAt() >= firstStaleAt;
            stale += s.stale() ? 1 : 0;
            // a session that only showed its first screen says nothing about how fast the user answers
            if (s.screensReached() >= 2 && s.lastEventTime() >= s.startedAt()) {
                stepSecondsSum += (s.lastEventTime() - s.startedAt()) / 1000.0 / s.screensReached();
                timedSessions++;
            }
        }

        List<String> reasons = new ArrayList<>();
        int score = 0;
        Double amount = parseAmount(budget);
        if (amount != null && amount >= budgetHigh) {
            score += add(reasons, budgetWeight, "budget " + budget + " >= " + fmt(budgetHigh));
        } else if (amount != null && amount >= budgetMid) {
            score += add(reasons, budgetWeight / 2, "budget " + budget + " >= " + fmt(budgetMid));
        }
        if (industry != null && targetIndustries.contains(norm(industry))) {
            score += add(reasons, industryWeight, "target industry " + industry);
        }
        if (timeline != null && urgentTimelines.contains(norm(timeline))) {
            score += add(reasons, timelineWeight, "urgent timeline " + timeline);
        } else if (timeline != null && soonTimelines.contains(norm(timeline))) {
            score += add(reasons, timelineWeight / 2, "near timeline " + timeline);
        }
        if (completed > 0) {
            score += add(reasons, completionWeight, "completed " + completed + " session(s)");
        }
        if (timedSessions > 0) {
            double secondsPerStep = stepSecondsSum / timedSessions;
            if (secondsPerStep <= fastStepSeconds) {
                score += add(reasons, speedWeight, "fast answers (" + Math.round(secondsPerStep) + " s/step)");
            } else if (secondsPerStep <= 4.0 * fastStepSeconds) {
                score += add(reasons, speedWeight / 2, "steady answers (" + Math.round(secondsPerStep) + " s/step)");
            }
        }
        if (stale > 0) {
            score += add(reasons, -dropoffPenalty * Math.min(stale, 2), "dropped off " + stale + " session(s)");
        }
        if (reengaged) {
            score += add(reasons, reengagementWeight, "came back after dropping off");
        }
        int clamped = Math.max(0, Math.min(100, score));
        return new LeadScoreRow(waId, clamped, tier(clamped), List.copyOf(reasons), ordered.size(), completed, stale, updatedAt);
    }

    public String tier(int score) {
        if (score >= hotThreshold) {
            return HOT;
        }
        return score >= warmThreshold ? WARM : COLD;
    }

    private static int add(List<String> reasons, int points, String why) {
        if (points != 0) {
            reasons.add(why + " (" + (points > 0 ? "+" : "") + points + ")");
        }
        return points;
    }

    /** A budget as users type it: digits with optional separators and currency signs; null if none. */
    static Double parseAmount(String budget) {
        if (budget == null) {
            return null;
        }
        String digits = budget.replaceAll("[^0-9.]", "");
        if (digits.isEmpty() || digits.chars().filter(c -> c == '.').count() > 1) {
            return null;
        }
        try {
            return Double.parseDouble(digits);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String norm(String s) {
        return s.trim().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
    }

    private static Set<String> normalized(Set<String> values) {
        return values == null ? Set.of() : values.stream().map(LeadScoreModel::norm).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }
}
