package io.flowgate.analytics;

import io.flowgate.events.EndpointRequest;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.FlowgateEvent;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A deterministic day in the life of the transitions topic: users going through a lead form, a shop Flow
 * and a qualification chat; completing, abandoning, coming back after going stale, tapping BACK; the
 * endpoint answering them (and Meta's pings) with a slow spell and an error burst. From
 * {@link #EXPERIMENT_FROM} on, the lead form runs a routing experiment ({@link #EXPERIMENT}): its sessions
 * carry the experiment and the user's sticky variant on every transition and endpoint request, as routing-api
 * writes them; the treatment completes more often and its DETAILS requests are slower. Its p90 latency since
 * the experiment's start, slow spell included, is above the experiment's guardrail once it has the 50 requests
 * the guardrail needs, so the job stops it mid-way (the control is as slow then, but the guardrails judge
 * treatments against the limit, not against the control: docs/experiments.md). (routing-api would send the stopped treatment's users to the control
 * from then on; the scenario goes on assigning them, as an instance not yet notified would: the job counts
 * each session in the variant its events carry either way.) It publishes with at-least-once duplicates and
 * reordering within a second, as the outbox does.
 */
final class Scenario {

    static final Instant T0 = Instant.parse("2026-11-20T09:40:00Z");
    static final Duration STALE_AFTER = Duration.ofMinutes(30);
    static final Set<Integer> SLOW_MINUTES = Set.of(12, 13, 14);
    static final Set<Integer> ERROR_MINUTES = Set.of(20, 21);
    /** Minutes in which only the QUOTE screen is slow (its pricing backend struggles). */
    static final Set<Integer> SLOW_QUOTE_MINUTES = Set.of(25, 26, 27, 28, 29, 30, 31, 32, 33, 34);
    /** The lead form was uploaded again (version 2) at this minute: sessions started from then on run on it. */
    static final Duration LEAD_V2_FROM = Duration.ofMinutes(20);
    /** The shop Flow's version; chat machines carry none (version 0, unknown). */
    static final int SHOP_VERSION = 3;
    static final Map<String, Integer> STOCK = Map.of("sku-1", 100, "sku-2", 0, "sku-3", 3, "sku-4", 1000);

    /**
     * The lead form's experiment (the database rows: {@link AnalyticsDatabase#create}): a control and a
     * treatment, with a p90 latency guardrail of 300 ms (the endpoint's p90 outside the slow spells is about
     * 200 ms) and an error-rate guardrail out of reach, so the one stop the scenario causes is the latency one.
     */
    static final AnalyticsDatabase.Experiment EXPERIMENT = new AnalyticsDatabase.Experiment("lead-copy", "lead_form",
            "WELCOME", 300.0, 0.9, List.of("control", "treatment"));
    static final String CONTROL = "control";
    static final String TREATMENT = "treatment";
    /** Lead-form sessions started from then on are in the experiment (the ones before ran without it). */
    static final Duration EXPERIMENT_FROM = Duration.ofMinutes(5);
    /** The treatment's rules look something up on DETAILS: its requests leaving DETAILS take this much longer. */
    static final long TREATMENT_DETAILS_EXTRA_MICROS = 400_000;
    /** The treatment's uplift: a treatment session that would not complete does so with this chance. */
    static final double TREATMENT_RESCUE = 0.4;

    record Flow(String id, String source, List<String> screens, String terminal) {
    }

    static final Flow LEAD = new Flow("lead_form", FlowTransition.SOURCE_FLOW, List.of("WELCOME", "DETAILS", "BUDGET", "QUOTE"), "SUCCESS");
    static final Flow SHOP = new Flow("shop", FlowTransition.SOURCE_FLOW, List.of("CATALOG", "ITEM", "CONFIRM"), "SUCCESS");
    static final Flow CHAT = new Flow("qualify_chat", FlowTransition.SOURCE_CHAT, List.of("ASK_NAME", "ASK_BUDGET", "ASK_TIMELINE"), "QUALIFIED");

    /** One published record: the event and the Kafka timestamp it was published with. */
    record Published(FlowgateEvent event, long publishedAt) {
    }

    final List<FlowgateEvent> events = new ArrayList<>();
    final List<Published> published = new ArrayList<>();
    final Instant to;

    private final Random random;
    /**
     * Draws for the treatment's uplift, apart from {@link #random} so that deciding it takes nothing from the
     * other draws (a session it completes does draw differently from then on).
     */
    private final Random experimentRandom;
    private int requestSeq;

    private Scenario(long seed, int sessions) {
        random = new Random(seed);
        experimentRandom = new Random(seed * 31 + 17);
        session(LEAD, "vip", "vip-1", T0.plusSeconds(90), Outcome.COMPLETE, 5, "25000", "retail", "now");
        session(LEAD, "ghost", "ghost-1", T0.plusSeconds(120), Outcome.ABANDON_AFTER_FIRST, 5, null, null, null);
        for (int i = 0; i < sessions; i++) {
            Flow flow = List.of(LEAD, SHOP, CHAT).get(random.nextInt(3));
            Outcome outcome = random.nextDouble() < 0.5 ? Outcome.COMPLETE : random.nextDouble() < 0.6 ? Outcome.ABANDON : Outcome.RETURN;
            String user = "u" + random.nextInt(sessions / 2);
            Instant start = T0.plusSeconds(random.nextInt(40 * 60));
            if (TREATMENT.equals(variant(flow, user, start)) && outcome != Outcome.COMPLETE
                    && experimentRandom.nextDouble() < TREATMENT_RESCUE) {
                outcome = Outcome.COMPLETE;
            }
            session(flow, user, "s" + i, start, outcome, 0,
                    List.of("500", "5000", "25000").get(random.nextInt(3)),
                    List.of("retail", "other", "finance").get(random.nextInt(3)),
                    List.of("now", "3 months", "later").get(random.nextInt(3)));
        }
        for (int k = 0; k * 10 < 45 * 60; k++) {
            Instant at = T0.plusSeconds(k * 10L);
            events.add(new EndpointRequest("ping-" + k, at, null, null, "", "ping", 200, EndpointRequest.OUTCOME_OK,
                    1_000 + random.nextInt(4_000)));
        }
        events.sort(Comparator.comparing(FlowgateEvent::eventTime).thenComparing(FlowgateEvent::eventId));
        for (FlowgateEvent e : events) {
            publish(e);
            if (random.nextDouble() < 0.05) {
                publish(e); // at-least-once: the same event again
            }
        }
        published.sort(Comparator.comparingLong(Published::publishedAt));
        Instant last = events.get(events.size() - 1).eventTime();
        long end = last.plus(Duration.ofMinutes(40)).toEpochMilli();
        to = Instant.ofEpochMilli((end / 60_000 + 1) * 60_000);
    }

    static Scenario generate(long seed, int sessions) {
        return new Scenario(seed, sessions);
    }

    private void publish(FlowgateEvent e) {
        // reordered by up to 0.8 s: within the job's 2 s out-of-orderness bound
        published.add(new Published(e, e.eventTime().toEpochMilli() + random.nextInt(800)));
    }

    enum Outcome { COMPLETE, ABANDON, ABANDON_AFTER_FIRST, RETURN }

    private void session(Flow flow, String user, String session, Instant start, Outcome outcome, int fixedGapSeconds,
                         String budget, String industry, String timeline) {
        int n = flow.screens().size();
        int stopAfter = switch (outcome) {
            case COMPLETE -> n;
            case ABANDON_AFTER_FIRST -> 1;
            case ABANDON -> 1 + random.nextInt(n);
            case RETURN -> 1 + random.nextInt(n - 1);
        };
        Instant t = start;
        int seq = 0;
        t = transition(flow, user, session, start, t, seq++, "", flow.screens().get(0), "INIT", Map.of(), false);
        for (int j = 1; j < n; j++) {
            if (j == stopAfter) {
                if (outcome != Outcome.RETURN) {
                    return;
                }
                t = t.plus(Duration.ofMinutes(31 + random.nextInt(15)));
            }
            t = t.plusSeconds(fixedGapSeconds > 0 ? fixedGapSeconds : 2 + random.nextInt(48));
            String from = flow.screens().get(j - 1);
            if (j >= 2 && random.nextDouble() < 0.15) {
                // BACK to the previous screen and forward again: activity, no new screen reached
                t = transition(flow, user, session, start, t, seq++, from, flow.screens().get(j - 2), "BACK", Map.of(), false);
                t = t.plusSeconds(2 + random.nextInt(10));
                t = transition(flow, user, session, start, t, seq++, flow.screens().get(j - 2), from, action(flow), Map.of(), false);
                t = t.plusSeconds(2 + random.nextInt(10));
            }
            t = transition(flow, user, session, start, t, seq++, from, flow.screens().get(j), action(flow),
                    answers(flow, from, budget, industry, timeline), false);
        }
        if (outcome == Outcome.ABANDON && stopAfter == n) {
            return;
        }
        t = t.plusSeconds(fixedGapSeconds > 0 ? fixedGapSeconds : 2 + random.nextInt(48));
        String last = flow.screens().get(n - 1);
        transition(flow, user, session, start, t, seq, last, flow.terminal(), action(flow),
                answers(flow, last, budget, industry, timeline), true);
    }

    private static String action(Flow flow) {
        return flow.source().equals(FlowTransition.SOURCE_CHAT) ? "chat_message" : "data_exchange";
    }

    private Map<String, String> answers(Flow flow, String leaving, String budget, String industry, String timeline) {
        Map<String, String> fields = new HashMap<>();
        switch (leaving) {
            case "DETAILS" -> put(fields, "industry", industry);
            case "BUDGET", "ASK_BUDGET" -> put(fields, "budget", budget);
            case "QUOTE", "ASK_TIMELINE" -> put(fields, "timeline", timeline);
            case "CATALOG" -> fields.put("item_id", "sku-" + (1 + random.nextInt(5)));
            default -> {
            }
        }
        return fields;
    }

    private static void put(Map<String, String> fields, String key, String value) {
        if (value != null) {
            fields.put(key, value);
        }
    }

    /** The Flow version a session started at {@code start} runs on; null for a chat (none recorded). */
    private static Integer version(Flow flow, Instant start) {
        if (flow == LEAD) {
            return start.isBefore(T0.plus(LEAD_V2_FROM)) ? 1 : 2;
        }
        return flow == SHOP ? SHOP_VERSION : null;
    }

    /**
     * The variant of a session in the experiment, null outside it: routing-api's sticky assignment (the first 8
     * bytes of SHA-256(experiment id + ":" + wa_id), unsigned, modulo the sum of the weights, the control's
     * bucket first), so a user's lead-form sessions all land in one variant.
     */
    static String variant(Flow flow, String user, Instant start) {
        if (flow != LEAD || start.isBefore(T0.plus(EXPERIMENT_FROM))) {
            return null;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((EXPERIMENT.id() + ":" + user).getBytes(StandardCharsets.UTF_8));
            long bucket = Long.remainderUnsigned(ByteBuffer.wrap(hash, 0, 8).getLong(), EXPERIMENT.variants().size());
            return EXPERIMENT.variants().get((int) bucket);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Instant transition(Flow flow, String user, String session, Instant start, Instant at, int seq,
                               String from, String to, String action, Map<String, String> fields, boolean completed) {
        String id = "t-" + session + "-" + seq;
        Integer version = version(flow, start);
        String variant = variant(flow, user, start);
        String experiment = variant == null ? null : EXPERIMENT.id();
        events.add(new FlowTransition(id, at, flow.id(), session, user, start, from, to, action, fields, completed,
                false, flow.source()).withFlowVersion(version).withExperiment(experiment, variant));
        if (flow.source().equals(FlowTransition.SOURCE_FLOW)) {
            long minute = Duration.between(T0, at).toMinutes();
            // 5-300 ms, log-uniform; 1.5-2.5 s in the slow spells
            boolean slow = SLOW_MINUTES.contains((int) minute) || (from.equals("QUOTE") && SLOW_QUOTE_MINUTES.contains((int) minute));
            long latencyMicros = slow
                    ? 1_500_000 + random.nextInt(1_000_000)
                    : (long) (5_000 * Math.exp(random.nextDouble() * Math.log(60)));
            if (TREATMENT.equals(variant) && from.equals("DETAILS")) {
                latencyMicros += TREATMENT_DETAILS_EXTRA_MICROS;
            }
            boolean error = random.nextDouble() < (ERROR_MINUTES.contains((int) minute) ? 0.6 : 0.01);
            events.add(new EndpointRequest("r-" + (requestSeq++), at, flow.id(), session, from,
                    action.equals("INIT") ? "INIT" : action, error ? 500 : 200,
                    error ? EndpointRequest.OUTCOME_INTERNAL_ERROR : EndpointRequest.OUTCOME_OK,
                    latencyMicros).withFlowVersion(version).withExperiment(experiment, variant));
        }
        return at;
    }
}
