package io.flowgate.simulator.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.simulator.load.Journey;
import io.flowgate.simulator.report.FlowJourneyOutcome;
import io.flowgate.simulator.report.FlowJourneyOutcome.Ending;
import io.flowgate.simulator.report.Measurements;
import io.flowgate.simulator.report.Tally;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One user through a Flow, as WhatsApp plays it: the business mints a token, the user opens the Flow
 * ({@code INIT}), thinks, fills each screen and taps its footer ({@code data_exchange}) until
 * {@code SUCCESS} — or stops, taps twice, goes back, or opens the message too late, as the
 * {@link FlowPlan} says. Every answer is checked against the screen the plan predicts; how the session
 * ended goes to the funnel.
 */
final class FlowJourney implements Journey {

    /** How much longer than the token's lifetime a late user waits before opening the Flow. */
    private static final Duration PAST_EXPIRY = Duration.ofMillis(1500);
    private static final int SHORT_TTL_SECONDS = 1;

    private enum Next { MINT, OPEN, OPEN_EXPIRED, SUBMIT, BACK }

    private final FlowUsers users;
    private final FlowPlan plan;
    private final RandomGenerator random;
    private final Tally tally;
    private final List<String> reached = new ArrayList<>();
    private final Map<String, JsonNode> shownData = new HashMap<>();
    private final Map<String, String> answers;
    private Next next = Next.MINT;
    private AdminApi.Minted minted;
    /** Where the user is in the plan's path. */
    private int at;
    private boolean backPressed;
    private boolean doubleTapped;
    private boolean ended;

    FlowJourney(FlowUsers users, FlowPlan plan, RandomGenerator random, Tally tally) {
        this.users = users;
        this.plan = plan;
        this.random = random;
        this.tally = tally;
        this.answers = new HashMap<>(plan.answers());
    }

    @Override
    public Optional<Duration> step() throws InterruptedException {
        return switch (next) {
            case MINT -> mint();
            case OPEN -> open();
            case OPEN_EXPIRED -> openExpired();
            case SUBMIT -> submit();
            case BACK -> back();
        };
    }

    @Override
    public void abandon(Throwable cause) {
        end(cause == null ? Ending.CUT_OFF : Ending.FAILED);
    }

    private Optional<Duration> mint() throws InterruptedException {
        long started = System.nanoTime();
        try {
            minted = users.admin().mint(plan.waId(), users.flowId(), plan.expiredToken() ? SHORT_TTL_SECONDS : 0);
            tally.requests().ok("admin mint", System.nanoTime() - started);
        } catch (AdminApi.AdminException e) {
            tally.requests().error("admin mint", System.nanoTime() - started, "HTTP " + e.status);
            return end(Ending.FAILED);
        } catch (IOException e) {
            tally.requests().error("admin mint", -1, Measurements.errorName(e));
            return end(Ending.FAILED);
        }
        if (plan.expiredToken()) {
            next = Next.OPEN_EXPIRED;
            return Optional.of(Duration.ofSeconds(SHORT_TTL_SECONDS).plus(PAST_EXPIRY));
        }
        next = Next.OPEN;
        return think();
    }

    private Optional<Duration> openExpired() throws InterruptedException {
        FlowAnswer answer = users.endpoint().send(payload("INIT", "", JsonNodeFactory.instance.objectNode()));
        boolean refused = answer.status() == FlowAnswer.INVALID_TOKEN;
        tally.checks().expiredToken(refused);
        if (refused) {
            tally.requests().ok("flow INIT (expired token)", answer.latencyNanos());
            return end(Ending.REFUSED);
        }
        tally.requests().error("flow INIT (expired token)", answer.latencyNanos(), answer.error() + " instead of 427");
        return end(Ending.FAILED);
    }

    private Optional<Duration> open() throws InterruptedException {
        FlowAnswer answer = users.endpoint().send(payload("INIT", "", JsonNodeFactory.instance.objectNode()));
        if (!expect(List.of(answer), "flow INIT", plan.path().get(0), "INIT")) {
            return end(Ending.FAILED);
        }
        at = 0;
        return onScreen();
    }

    /** Taps the footer of the current screen, once or (a double tap) several times at once. */
    private Optional<Duration> submit() throws InterruptedException {
        String screen = plan.path().get(at);
        ObjectNode data = users.screens().submit(screen, shownData.get(screen), answers, random);
        int copies = 1;
        if (at == plan.doubleTapAt() && !doubleTapped) {
            doubleTapped = true;
            copies = plan.tapCopies();
        }
        List<FlowAnswer> replies = users.endpoint().sendAtOnce(payload("data_exchange", screen, data), copies);
        String expected = plan.path().get(at + 1);
        if (!expect(replies, "flow data_exchange " + screen, expected, screen)) {
            return end(Ending.FAILED);
        }
        at++;
        if (FlowScreens.SUCCESS.equals(expected)) {
            JsonNode token = replies.get(0).data().at("/extension_message_response/params/flow_token");
            if (!minted.flowToken().equals(token.asText(null))) {
                tally.checks().unexpected("SUCCESS without the session's flow token in extension_message_response.params");
            }
            return end(Ending.COMPLETED);
        }
        return onScreen();
    }

    /**
     * Back to the previous screen: with {@code refresh_on_back} the endpoint is asked ({@code BACK});
     * otherwise the phone goes back by itself and the endpoint only learns of it from the next submit.
     * Either way the user then changes an answer.
     */
    private Optional<Duration> back() throws InterruptedException {
        backPressed = true;
        tally.checks().backPress();
        String leaving = plan.path().get(at);
        String previous = plan.path().get(at - 1);
        if (users.screens().refreshOnBack(leaving)) {
            FlowAnswer answer = users.endpoint().send(payload("BACK", leaving, JsonNodeFactory.instance.objectNode()));
            if (!expect(List.of(answer), "flow BACK " + leaving, previous, leaving)) {
                return end(Ending.FAILED);
            }
        }
        at--;
        answers.putAll(plan.changedAnswers());
        next = Next.SUBMIT;
        return think();
    }

    /** The user looks at the screen they reached and decides: go back, stop here, or fill it in. */
    private Optional<Duration> onScreen() {
        if (at == plan.backPressAt() && !backPressed) {
            next = Next.BACK;
            return think();
        }
        if (at == plan.dropAfter()) {
            return end(Ending.DROPPED);
        }
        next = Next.SUBMIT;
        return think();
    }

    /**
     * Records the answers to one tap and checks them: all usable, all showing {@code expected} without
     * an error message, and (for a double tap) all identical. The screen is remembered as reached.
     */
    private boolean expect(List<FlowAnswer> answers, String kind, String expected, String from) {
        boolean usable = true;
        for (FlowAnswer answer : answers) {
            if (answer.ok()) {
                tally.requests().ok(kind, answer.latencyNanos());
            } else {
                tally.requests().error(kind, answer.latencyNanos(), answer.error());
                usable = false;
            }
        }
        if (answers.size() > 1) {
            tally.checks().doubleTap(usable && answers.stream().allMatch(a -> a.json().equals(answers.get(0).json())));
        }
        if (!usable) {
            return false;
        }
        FlowAnswer first = answers.get(0);
        String screen = first.screen();
        if (screen != null) {
            reached.add(screen);
            shownData.put(screen, first.data());
        }
        if (!expected.equals(screen) || first.data().has("error_message")) {
            tally.checks().unexpected(plan.persona() + ": from " + from + " expected " + expected + ", got "
                    + screen + (first.data().has("error_message") ? " with error_message" : ""));
            return false;
        }
        return true;
    }

    private ObjectNode payload(String action, String screen, ObjectNode data) {
        return FlowEndpointClient.payload(action, screen, data, minted.flowToken());
    }

    private Optional<Duration> think() {
        return Optional.of(users.thinkTime(random));
    }

    /** Synchronized: the run's end may abandon a journey while a late step of it is still finishing. */
    private synchronized Optional<Duration> end(Ending ending) {
        if (ended) {
            return Optional.empty();
        }
        ended = true;
        boolean handover = plan.handoverScreen() != null && reached.contains(plan.handoverScreen());
        tally.flows().ended(new FlowJourneyOutcome(minted == null ? null : minted.sessionId(), plan.waId(),
                plan.describe(), reached, ending, handover));
        return Optional.empty();
    }
}
