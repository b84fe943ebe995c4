package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.events.Topics;
import io.flowgate.routing.flows.FlowDefinition;
import io.flowgate.routing.flows.FlowRegistry;
import io.flowgate.routing.rules.CelValues;
import io.flowgate.routing.outbox.Outbox;
import io.flowgate.routing.rules.Decision;
import io.flowgate.routing.rules.RuleContext;
import io.flowgate.routing.rules.RuleDefinition;
import io.flowgate.routing.rules.RuleEngine;
import io.flowgate.routing.sessions.FlowSession;
import io.flowgate.routing.sessions.FlowSessionRepository;
import io.flowgate.routing.sessions.FlowTokens;
import io.flowgate.routing.sessions.SessionsProperties;
import io.flowgate.routing.system.ControlCharacters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moves a Flow session one step for an {@code INIT}, {@code BACK} or {@code data_exchange} request and
 * decides the answer, in one transaction that holds the session's row lock. The next screen comes from
 * the business's routing rules ({@link RuleEngine}); when no rule matches, from the Flow's routing model.
 * The lock serializes a double tap: the first request makes the transition, the identical ones behind it
 * find its fingerprint and get the very same answer. The session-mismatch policy is documented in
 * {@code docs/flow-endpoint.md}.
 */
@Service
class FlowSteps {

    private static final Logger log = LoggerFactory.getLogger(FlowSteps.class);
    /** How long after a session ended an identical repeat of its last request still gets its answer. */
    static final Duration DOUBLE_TAP_WINDOW = Duration.ofSeconds(30);
    static final String MISMATCH_MESSAGE = "This step is out of date. Please go back and try again.";
    static final String NO_ROUTE_MESSAGE = "We could not work out the next step. Please try again.";
    static final String INVALID_INPUT_MESSAGE = "Some of what you entered contains characters we cannot accept. Please check it and try again.";

    private final FlowSessionRepository sessions;
    private final FlowRegistry flows;
    private final RuleEngine rules;
    private final SessionsProperties properties;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final TransitionEvents events;
    private final Outbox outbox;

    FlowSteps(FlowSessionRepository sessions, FlowRegistry flows, RuleEngine rules, SessionsProperties properties,
              TransactionTemplate tx, Clock clock, ObjectMapper mapper, TransitionEvents events, Outbox outbox) {
        this.sessions = sessions;
        this.flows = flows;
        this.rules = rules;
        this.properties = properties;
        this.tx = tx;
        this.clock = clock;
        this.mapper = mapper;
        this.events = events;
        this.outbox = outbox;
    }

    StepOutcome step(FlowRequest request) {
        byte[] tokenHash = FlowTokens.hash(request.flowToken());
        if (tokenHash == null) {
            return StepOutcome.refused(TokenRefusal.MISSING, null, null);
        }
        return tx.execute(status -> stepLocked(tokenHash, request));
    }

    private StepOutcome stepLocked(byte[] tokenHash, FlowRequest request) {
        FlowSession session = sessions.lockByTokenHash(tokenHash).orElse(null);
        if (session == null) {
            return StepOutcome.refused(TokenRefusal.UNKNOWN, null, null);
        }
        // the events of every request of the session carry the Flow version it started on and its experiment
        return stepOn(session, request).withSession(session.flowVersion(), session.experimentId(), session.variant());
    }

    private StepOutcome stepOn(FlowSession session, FlowRequest request) {
        Instant now = clock.instant();
        byte[] fingerprint = fingerprint(request);
        boolean repeat = session.lastResponse() != null && Arrays.equals(fingerprint, session.lastRequestHash());
        if (repeat && session.updatedAt().plus(DOUBLE_TAP_WINDOW).isAfter(now)) {
            return duplicate(session, request);
        }
        if (!session.isActive()) {
            return StepOutcome.refused(TokenRefusal.ofStatus(session.status()), session.sessionId(), session.flowId());
        }
        if (session.isExpired(now)) {
            return StepOutcome.refused(TokenRefusal.EXPIRED, session.sessionId(), session.flowId());
        }
        if (repeat) {
            return duplicate(session, request);
        }
        FlowDefinition flow = flows.find(session.flowId()).orElse(null);
        if (flow == null) {
            return StepOutcome.refused(TokenRefusal.FLOW_REMOVED, session.sessionId(), session.flowId());
        }
        Step step = new Step(session, flow, request, fingerprint, now);
        return switch (request.action()) {
            case FlowRequest.INIT -> init(step);
            case FlowRequest.BACK -> back(step);
            case FlowRequest.DATA_EXCHANGE -> dataExchange(step);
            default -> refresh(step);
        };
    }

    /** One request being processed against its locked session. */
    private record Step(FlowSession session, FlowDefinition flow, FlowRequest request, byte[] fingerprint, Instant now) {
    }

    private static StepOutcome duplicate(FlowSession session, FlowRequest request) {
        return new StepOutcome((ObjectNode) session.lastResponse().deepCopy(), null, false, "duplicate",
                session.sessionId(), session.flowId(), request.screen(), session.currentScreen(), !session.isActive(),
                false, null);
    }

    private StepOutcome init(Step step) {
        FlowSession session = step.session();
        ObjectNode none = JsonNodeFactory.instance.objectNode();
        Optional<Decision> decision = rules.decide(step.flow().flowId(), "", RuleDefinition.INIT,
                context(session, none, session.userData()), session.experimentId(), session.variant());
        String entry = decision.map(Decision::nextScreen).orElse(step.flow().entryScreen());
        ObjectNode data = screenData(step.flow(), entry, session, session.userData(), none, decision);
        return moveTo(step, "", entry, data, List.of(new FlowSession.Screen(entry, data)), session.userData(), decision);
    }

    private StepOutcome back(Step step) {
        List<FlowSession.Screen> history = new ArrayList<>(step.session().history());
        if (history.size() < 2) {
            // nothing to go back to: show the first screen again
            return init(step);
        }
        history.remove(history.size() - 1);
        FlowSession.Screen previous = history.get(history.size() - 1);
        ObjectNode data = previous.data() instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
        String leaving = step.request().screen() != null ? step.request().screen() : step.session().currentScreen();
        return moveTo(step, leaving, previous.screen(), data, history, step.session().userData(), Optional.empty());
    }

    private StepOutcome dataExchange(Step step) {
        FlowSession session = step.session();
        FlowDefinition flow = step.flow();
        String from = step.request().screen() != null ? step.request().screen() : session.currentScreen();
        if (from == null) {
            return init(step);
        }
        if (!flow.hasScreen(from)) {
            log.info("session {}: request from screen {} which flow {} does not have", session.sessionId(), from, flow.flowId());
            return StepOutcome.refused(TokenRefusal.UNKNOWN_SCREEN, session.sessionId(), flow.flowId());
        }
        String refused = ControlCharacters.findIn(step.request().data(), "data");
        if (refused != null) {
            // refused before any lookup or write: nothing of it is stored, the session does not move
            log.info("session {}: data from screen {} refused ({}); screen shown again with an error message",
                    session.sessionId(), from, refused);
            ObjectNode data = lastData(session, from);
            data.put("error_message", INVALID_INPUT_MESSAGE);
            return answerOnly(session, from, data, "refused_input");
        }
        List<FlowSession.Screen> history = reconcile(session, flow, from);
        if (history == null) {
            log.info("session {}: request from {} while on {}: answered with {} and an error message",
                    session.sessionId(), from, session.currentScreen(), from);
            ObjectNode data = lastData(session, from);
            data.put("error_message", MISMATCH_MESSAGE);
            return answerOnly(session, from, data, "mismatch");
        }
        ObjectNode userData = session.userData().deepCopy();
        userData.setAll(step.request().data());
        Optional<Decision> decision = rules.decide(flow.flowId(), from, RuleDefinition.DATA_EXCHANGE,
                context(session, step.request().data(), userData), session.experimentId(), session.variant());
        String target = decision.map(Decision::nextScreen).orElse(null);
        if (target == null) {
            List<String> routes = flow.routesFrom(from);
            if (flow.screen(from).terminal()) {
                target = FlowDefinition.SUCCESS;
            } else if (routes.size() == 1) {
                target = routes.get(0);
            } else {
                ObjectNode data = lastData(session, from);
                data.put("error_message", NO_ROUTE_MESSAGE);
                return answerOnly(session, from, data, "no_route");
            }
        }
        if (FlowDefinition.SUCCESS.equals(target)) {
            ObjectNode params = decision.map(d -> (ObjectNode) ControlCharacters.storable(CelValues.json(mapper, d.data())))
                    .orElseGet(JsonNodeFactory.instance::objectNode);
            ObjectNode response = JsonNodeFactory.instance.objectNode();
            response.put("screen", FlowDefinition.SUCCESS);
            response.putObject("data").putObject("extension_message_response").set("params", params);
            return moveTo(step, from, FlowDefinition.SUCCESS, response, history, userData, decision);
        }
        ObjectNode data = screenData(flow, target, session, userData, step.request().data(), decision);
        history.add(new FlowSession.Screen(target, data));
        return moveTo(step, from, target, data, history, userData, decision);
    }

    /** Any other action (e.g. {@code navigate}): show the request's screen again, changing nothing. */
    private StepOutcome refresh(Step step) {
        FlowSession session = step.session();
        String screen = step.flow().hasScreen(step.request().screen()) ? step.request().screen()
                : session.currentScreen() != null ? session.currentScreen() : step.flow().entryScreen();
        log.info("session {}: action {} is not one Flowgate acts on; screen {} shown again", session.sessionId(),
                step.request().action(), screen);
        return answerOnly(session, screen, lastData(session, screen), "refresh");
    }

    /** The history after accepting a request from {@code from}, or null when it cannot be explained. */
    private static List<FlowSession.Screen> reconcile(FlowSession session, FlowDefinition flow, String from) {
        List<FlowSession.Screen> history = new ArrayList<>(session.history());
        String current = session.currentScreen();
        if (current == null || FlowDefinition.SUCCESS.equals(current)) {
            // opened with a navigate action: the client showed this screen without asking us
            history.clear();
            history.add(new FlowSession.Screen(from, JsonNodeFactory.instance.objectNode()));
            return history;
        }
        if (from.equals(current)) {
            return history;
        }
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).screen().equals(from)) {
                return new ArrayList<>(history.subList(0, i + 1));
            }
        }
        if (flow.reachable(current, from)) {
            history.add(new FlowSession.Screen(from, JsonNodeFactory.instance.objectNode()));
            return history;
        }
        return null;
    }

    /** Records the transition to {@code target} and its event in the outbox, in one statement of the step's transaction. */
    private StepOutcome moveTo(Step step, String from, String target, ObjectNode dataOrResponse, List<FlowSession.Screen> history,
                               ObjectNode userData, Optional<Decision> decision) {
        FlowSession session = step.session();
        boolean completes = FlowDefinition.SUCCESS.equals(target);
        Instant handoverAt = session.handoverAt() != null ? session.handoverAt()
                : decision.filter(Decision::handover).map(d -> step.now()).orElse(null);
        ObjectNode response;
        if (completes) {
            response = dataOrResponse;
        } else {
            response = JsonNodeFactory.instance.objectNode();
            response.put("screen", target);
            response.set("data", dataOrResponse);
        }
        String status = !completes ? FlowSession.ACTIVE : handoverAt != null ? FlowSession.HANDOVER : FlowSession.COMPLETED;
        List<FlowSession.Screen> bounded = history.size() > properties.maxHistory()
                ? history.subList(history.size() - properties.maxHistory(), history.size()) : history;
        FlowSession next = session.next(status, target, bounded, userData, step.fingerprint(), response, handoverAt);
        StepOutcome outcome = new StepOutcome(response.deepCopy(), null, true, "transition", session.sessionId(),
                session.flowId(), from, target, completes,
                decision.map(Decision::handover).orElse(false), decision.map(Decision::ruleId).orElse(null),
                session.flowVersion(), session.experimentId(), session.variant());
        sessions.update(next, outbox, Topics.TRANSITIONS, events.event(next, step.request(), outcome, step.now()));
        return outcome;
    }

    private static StepOutcome answerOnly(FlowSession session, String screen, ObjectNode data, String kind) {
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("screen", screen);
        response.set("data", data);
        return new StepOutcome(response, null, false, kind, session.sessionId(), session.flowId(), screen, screen, false,
                false, null);
    }

    /** The data a screen was last shown with (a copy), or an empty object. */
    private static ObjectNode lastData(FlowSession session, String screen) {
        for (int i = session.history().size() - 1; i >= 0; i--) {
            FlowSession.Screen s = session.history().get(i);
            if (s.screen().equals(screen) && s.data() instanceof ObjectNode o) {
                return o.deepCopy();
            }
        }
        return JsonNodeFactory.instance.objectNode();
    }

    /**
     * A screen's data: what the rule computed, and for every other field the screen declares, the value
     * of that name just submitted, else submitted earlier, else given at minting.
     */
    private ObjectNode screenData(FlowDefinition flow, String screen, FlowSession session, ObjectNode userData,
                                  ObjectNode submitted, Optional<Decision> decision) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : flow.screen(screen).data().entrySet()) {
            JsonNode value = firstPresent(field.getKey(), submitted, userData, session.initialData());
            if (value != null) {
                data.set(field.getKey(), value.deepCopy());
            }
        }
        // a rule may compute a string PostgreSQL cannot store ('\u0000' in CEL): it is stored mended
        decision.ifPresent(d -> d.data().forEach((k, v) -> data.set(ControlCharacters.storable(k),
                ControlCharacters.storable(CelValues.json(mapper, v)))));
        return data;
    }

    private static JsonNode firstPresent(String name, ObjectNode... sources) {
        for (ObjectNode source : sources) {
            JsonNode v = source == null ? null : source.get(name);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private static RuleContext context(FlowSession s, ObjectNode submitted, ObjectNode userData) {
        return new RuleContext(submitted, s.waId(), s.flowId(), s.currentScreen(), userData, s.initialData(), s.transitions());
    }

    /** Identifies a request by what it asks, so that a repeat of it is recognised. */
    private static byte[] fingerprint(FlowRequest request) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(String.valueOf(request.action()).getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(String.valueOf(request.screen()).getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(request.data().toString().getBytes(StandardCharsets.UTF_8));
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
