package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.LeadScoreRow;
import io.flowgate.analytics.records.SessionSummary;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LeadScoreModelTest {

    private static final LeadScoreModel MODEL = LeadScoreModel.defaults();
    private static final long T0 = 1_790_000_000_000L;
    private static final long STALE_AFTER = 1_800_000;

    private static SessionSummary session(String id, long start, long last, int screens, boolean completed,
                                          boolean stale, boolean reengaged, String budget, String industry, String timeline) {
        return new SessionSummary("u1", id, "lead_form", start, last, last, screens, completed, stale,
                stale ? last + STALE_AFTER : 0, reengaged, budget, industry, timeline);
    }

    @Test
    void idealLeadIsHotWithEveryReasonListed() {
        LeadScoreRow row = MODEL.score("u1", List.of(
                session("s1", T0, T0 + 40_000, 4, true, false, false, "$25,000", "Retail", "this month")), T0 + 40_000);

        // budget 30 + industry 15 + timeline 20 + completion 20 + speed (10 s/step) 10 = 95
        assertThat(row.score()).isEqualTo(95);
        assertThat(row.tier()).isEqualTo(LeadScoreModel.HOT);
        assertThat(row.reasons()).containsExactly(
                "budget $25,000 >= 10000 (+30)", "target industry Retail (+15)", "urgent timeline this month (+20)",
                "completed 1 session(s) (+20)", "fast answers (10 s/step) (+10)");
        assertThat(row.completedSessions()).isEqualTo(1);
    }

    @Test
    void dropOffsCostPointsAndComingBackEarnsThemBack() {
        LeadScoreRow dropped = MODEL.score("u1", List.of(
                session("s1", T0, T0 + 600_000, 2, false, true, false, "5000", "other", "later")), T0 + 600_000);
        // budget mid 15, slow answers (300 s/step) 0, one drop-off -10
        assertThat(dropped.score()).isEqualTo(5);
        assertThat(dropped.tier()).isEqualTo(LeadScoreModel.COLD);

        LeadScoreRow back = MODEL.score("u1", List.of(
                session("s1", T0, T0 + 600_000, 2, false, true, false, "5000", "other", "later"),
                session("s2", T0 + 7_200_000, T0 + 7_300_000, 2, true, false, false, null, null, "3 months")), T0 + 7_300_000);
        // budget 15 (from s1) + near timeline 10 + completion 20 - drop 10 + comeback 10 = 45;
        // no speed points: (300 s + 50 s) / 2 sessions = 175 s/step is slower than 4 x 30 s
        assertThat(back.score()).isEqualTo(45);
        assertThat(back.tier()).isEqualTo(LeadScoreModel.WARM);
        assertThat(back.staleSessions()).isEqualTo(1);
    }

    @Test
    void scoreIsClampedToZero() {
        LeadScoreRow row = MODEL.score("u1", List.of(
                session("s1", T0, T0 + 10_000_000, 1, false, true, false, null, null, null),
                session("s2", T0 + 20_000_000, T0 + 30_000_000, 1, false, true, false, null, null, null),
                session("s3", T0 + 40_000_000, T0 + 50_000_000, 1, false, true, false, null, null, null)), T0);
        assertThat(row.score()).isZero();
        // s2 and s3 started after s1 went stale: a comeback, although they went stale too
        assertThat(row.reasons()).containsExactly("dropped off 3 session(s) (-20)", "came back after dropping off (+10)");
    }

    @Test
    void budgetsAreReadAsUsersTypeThem() {
        assertThat(LeadScoreModel.parseAmount("R$ 12.000")).isEqualTo(12.0);
        assertThat(LeadScoreModel.parseAmount("12,500")).isEqualTo(12500.0);
        assertThat(LeadScoreModel.parseAmount("about 3k")).isEqualTo(3.0);
        assertThat(LeadScoreModel.parseAmount("none")).isNull();
        assertThat(LeadScoreModel.parseAmount("1.2.3")).isNull();
    }
}
