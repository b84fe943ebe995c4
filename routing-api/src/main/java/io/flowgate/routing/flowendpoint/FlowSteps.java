package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.flows.FlowDefinition;
import io.flowgate.routing.flows.FlowRegistry;
import io.flowgate.routing.sessions.FlowSession;
import io.flowgate.routing.sessions.FlowSessionRepository;
import io.flowgate.routing.sessions.FlowTokens;
import io.flowgate.routing.sessions.SessionsProperties;
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

/**
 * Moves a Flow session one step for an {@code INIT}, {@code BACK} or {@code data_exchange} request and
 * decides the answer, in one transaction that holds the session's row lock. The lock serializes a
 * double tap: the first request makes the transition, the identical ones behind it find its
 * fingerprint and get the very same answer.
 *
 * <p>Session mismatch policy (the request's screen is not the screen the session is on): the client
 * is where the user really is, so a screen the session showed earlier (the user went back without the
 * endpoint hearing of it) rewinds the session to it, and a screen reachable onward from the current one
 * (client-side {@code navigate}) is accepted. Any other screen of the Flow is answered with that same
 * screen and an {@code error_message}, and the session is left as it was; a screen the Flow does not
 * have refuses the token (427), since the user holds an outdated form.
 */
@Service
class FlowSteps {

    private static final Logger log = LoggerFactory.getLogger(FlowSteps.class);
    /** How long after a session ended an identical repeat of its last request still gets its answer. */
    static final Duration DOUBLE_TAP_WINDOW = Duration.ofSeconds(30);
    static final String MISMATCH_MESSAGE = "This step is out of date. Please go back and try again.";
    static final String NO_ROUTE_MESSAGE = "We could not work out the next step. Please try again.";

    private final FlowSessionRepository sessions;
    private final FlowRegistry flows;
    private final SessionsProperties properties;
    private final TransactionTemplate tx;
    private final Clock clock;

    FlowSteps(FlowSessionRepository sessions, FlowRegistry flows, SessionsProperties properties,
              TransactionTemplate tx, Clock clock) {
        this.sessions = sessions;
        this.flows = flows;
        this.properties = properties;
        this.tx = tx;
        this.clock = clock;
    }

    StepOutcome step(FlowRequest request) {
        byte[] tokenHash = FlowTokens.hash(request.flowToken());
        if (tokenHash == null) {
            return StepOutcome.refused("missing", null, null);
        }
        return tx.execute(status -> stepLocked(tokenHash, request));
    }

    private StepOutcome stepLocked(byte[] tokenHash, FlowRequest request) {
        FlowSession session = sessions.lockByTokenHash(tokenHash).orElse(null);
        if (session == null) {
            return StepOutcome.refused("unknown", null, null);
        }
        Instant now = clock.instant();
        byte[] fingerprint = fingerprint(request);
        boolean repeat = session.lastResponse() != null && Arrays.equals(fingerprint, session.lastRequestHash());
        if (repeat && session.updatedAt().plus(DOUBLE_TAP_WINDOW).isAfter(now)) {
            return duplicate(session, request);
        }
        if (!session.isActive()) {
            return StepOutcome.refused(session.status(), session.sessionId(), session.flowId());
        }
        if (session.isExpired(now)) {
            return StepOutcome.refused("expired", session.sessionId(), session.flowId());
        }
        if (repeat) {
            return duplicate(session, request);
        }
        FlowDefinition flow = flows.find(session.flowId()).orElse(null);
        if (flow == null) {
            return StepOutcome.refused("flow_removed", session.sessionId(), session.flowId());
        }
        return switch (request.action()) {
            case FlowRequest.INIT -> init(session, flow, fingerprint);
            case FlowRequest.BACK -> back(session, flow, fingerprint);
            case FlowRequest.DATA_EXCHANGE -> dataExchange(session, flow, request, fingerprint);
            default -> refresh(session, flow, request);
        };
    }

    private static StepOutcome duplicate(FlowSession session, FlowRequest request) {
        return new StepOutcome((ObjectNode) session.lastResponse().deepCopy(), null, false, "duplicate",
                session.sessionId(), session.flowId(), request.screen(), session.currentScreen(), !session.isActive());
    }

    private StepOutcome init(FlowSession session, FlowDefinition flow, byte[] fingerprint) {
        String entry = flow.entryScreen();
        ObjectNode data = screenData(flow, entry, session, JsonNodeFactory.instance.objectNode());
        List<FlowSession.Screen> history = List.of(new FlowSession.Screen(entry, data));
        return transition(session, entry, data, history, session.userData(), fingerprint, FlowSession.ACTIVE, session.currentScreen());
    }

    private StepOutcome back(FlowSession session, FlowDefinition flow, byte[] fingerprint) {
        List<FlowSession.Screen> history = new ArrayList<>(session.history());
        if (history.size() < 2) {
            // nothing to go back to: show the first screen again
            return init(session, flow, fingerprint);
        }
        history.remove(history.size() - 1);
        FlowSession.Screen previous = history.get(history.size() - 1);
        ObjectNode data = previous.data() instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
        return transition(session, previous.screen(), data, history, session.userData(), fingerprint, FlowSession.ACTIVE,
                session.currentScreen());
    }

    private StepOutcome dataExchange(FlowSession session, FlowDefinition flow, FlowRequest request, byte[] fingerprint) {
        String from = request.screen() != null ? request.screen() : session.currentScreen();
        if (from == null) {
            return init(session, flow, fingerprint);
        }
        if (!flow.hasScreen(from)) {
            log.info("session {}: request from screen {} which flow {} does not have", session.sessionId(), from, flow.flowId());
            return StepOutcome.refused("unknown_screen", session.sessionId(), flow.flowId());
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
        userData.setAll(request.data());
        FlowDefinition.Screen screen = flow.screen(from);
        if (screen.terminal()) {
            ObjectNode params = JsonNodeFactory.instance.objectNode();
            ObjectNode response = JsonNodeFactory.instance.objectNode();
            response.put("screen", FlowDefinition.SUCCESS);
            response.putObject("data").putObject("extension_message_response").set("params", params);
            return transition(session, FlowDefinition.SUCCESS, response, history, userData, fingerprint,
                    FlowSession.COMPLETED, from);
        }
        List<String> routes = flow.routesFrom(from);
        if (routes.size() != 1) {
            ObjectNode data = lastData(session, from);
            data.put("error_message", NO_ROUTE_MESSAGE);
            return answerOnly(session, from, data, "no_route");
        }
        String target = routes.get(0);
        FlowSession withData = withUserData(session, userData);
        ObjectNode data = screenData(flow, target, withData, request.data());
        history.add(new FlowSession.Screen(target, data));
        return transition(session, target, data, history, userData, fingerprint, FlowSession.ACTIVE, from);
    }

    /** Any other action (e.g. {@code navigate}): show the request's screen again, changing nothing. */
    private StepOutcome refresh(FlowSession session, FlowDefinition flow, FlowRequest request) {
        String screen = flow.hasScreen(request.screen()) ? request.screen()
                : session.currentScreen() != null ? session.currentScreen() : flow.entryScreen();
        log.info("session {}: action {} is not one Flowgate acts on; screen {} shown again", session.sessionId(),
                request.action(), screen);
        return answerOnly(session, screen, lastData(session, screen), "refresh");
    }

    /** The history after accepting a request from {@code from}, or null when it cannot be explained. */
    private List<FlowSession.Screen> reconcile(FlowSession session, FlowDefinition flow, String from) {
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

    private StepOutcome transition(FlowSession session, String target, ObjectNode dataOrResponse,
                                   List<FlowSession.Screen> history, ObjectNode userData, byte[] fingerprint,
                                   String status, String from) {
        ObjectNode response;
        if (FlowDefinition.SUCCESS.equals(target)) {
            response = dataOrResponse;
        } else {
            response = JsonNodeFactory.instance.objectNode();
            response.put("screen", target);
            response.set("data", dataOrResponse);
        }
        List<FlowSession.Screen> bounded = history.size() > properties.maxHistory()
                ? history.subList(history.size() - properties.maxHistory(), history.size()) : history;
        FlowSession next = new FlowSession(session.sessionId(), session.waId(), session.flowId(), status, target,
                List.copyOf(bounded), userData, session.initialData(), fingerprint, response, session.transitions() + 1,
                session.createdAt(), session.updatedAt(), session.expiresAt());
        sessions.update(next);
        return new StepOutcome(response.deepCopy(), null, true, "transition", session.sessionId(), session.flowId(),
                from, target, FlowSession.COMPLETED.equals(status));
    }

    private static StepOutcome answerOnly(FlowSession session, String screen, ObjectNode data, String kind) {
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("screen", screen);
        response.set("data", data);
        return new StepOutcome(response, null, false, kind, session.sessionId(), session.flowId(), screen, screen, false);
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
     * The data for a screen when no rule provides it: each field the screen declares, taken by name from
     * what was just submitted, else what the user submitted before, else the data given at minting.
     */
    static ObjectNode screenData(FlowDefinition flow, String screen, FlowSession session, ObjectNode submitted) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : flow.screen(screen).data().entrySet()) {
            String name = field.getKey();
            JsonNode value = firstPresent(name, submitted, session.userData(), session.initialData());
            if (value != null) {
                data.set(name, value.deepCopy());
            }
        }
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

    private static FlowSession withUserData(FlowSession s, ObjectNode userData) {
        return new FlowSession(s.sessionId(), s.waId(), s.flowId(), s.status(), s.currentScreen(), s.history(), userData,
                s.initialData(), s.lastRequestHash(), s.lastResponse(), s.transitions(), s.createdAt(), s.updatedAt(),
                s.expiresAt());
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
