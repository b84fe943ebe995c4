package io.flowgate.routing.chat;

import io.flowgate.routing.chat.machine.Answers;
import io.flowgate.routing.chat.machine.ChatCel;
import io.flowgate.routing.chat.machine.ChatMachine;
import io.flowgate.routing.chat.machine.MachineParser;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.runtime.CelEvaluationException;
import io.flowgate.routing.chat.machine.ChatMachine.FlowStep;
import io.flowgate.routing.chat.machine.ChatMachine.Kind;
import io.flowgate.routing.chat.machine.ChatMachine.Option;
import io.flowgate.routing.chat.machine.ChatMachine.Question;
import io.flowgate.routing.chat.machine.ChatMachine.State;
import io.flowgate.routing.chat.machine.ChatMachine.Transition;
import io.flowgate.routing.rules.CelValues;
import io.flowgate.routing.whatsapp.Messages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;

/**
 * What a lead-qualification machine does with one message: the lead it turns into and what it says.
 * Pure decisions, no I/O, so that every rule of the chat (answers, retries, escalation to a human,
 * RESTART, completion, Flow hand-over and return) is in one place and the processor around it only
 * loads, locks and writes.
 *
 * <ul>
 *   <li>The first message of a new user is a greeting, not an answer: it gets the first question.</li>
 *   <li>The restart keyword starts a new conversation from any status.</li>
 *   <li>A valid answer is stored, scored, and the first transition whose condition holds is taken.</li>
 *   <li>An invalid answer gets the state's retry prompt; after {@code max_retries} prompts the next invalid
 *       answer hands the lead to a human ({@link ChatMachine#HUMAN}).</li>
 *   <li>A lead with a human gets no automatic answers; a completed lead gets the machine's
 *       {@code after_completion_message}, if it has one; a cold lead that writes again is active again.</li>
 *   <li>A Flow completion advances the lead only if it completes the Flow session the lead was handed into.</li>
 * </ul>
 */
final class Conversation {

    private static final Logger log = LoggerFactory.getLogger(Conversation.class);
    static final int MAX_SCORE = 1_000_000;
    private static final int MAX_PLACEHOLDER_VALUE = 100;

    private Conversation() {
    }

    /** Something to send: a ready message, or a Flow to open (the processor mints its token). */
    sealed interface Reply {
        record Message(ObjectNode body) implements Reply {
        }

        record OpenFlow(FlowStep flow, String body) implements Reply {
        }
    }

    /**
     * The result of one message.
     *
     * @param entered whether the lead (re)entered a state: a transition event is due
     * @param outcome what became of the message, recorded in {@code processed_messages}
     */
    record Step(Lead lead, List<Reply> replies, String outcome, boolean entered) {
    }

    /** A new user's first message: the conversation starts. */
    static Step start(ChatMachine machine, Lead fresh) {
        return enter(machine, fresh, machine.start(), "started");
    }

    /**
     * Applies a message to an existing lead.
     *
     * @param replySession for a Flow completion, the Flow session it completes (found by flow token or
     *                     {@code context.id}, and belonging to this user), else null
     * @param at           WhatsApp's time of the message (the start of a new conversation on RESTART)
     */
    static Step apply(ChatMachine machine, Lead lead, Input input, UUID replySession, Instant at) {
        if (input.isRestart(machine.restartKeyword())) {
            return enter(machine, lead.restarted(UUID.randomUUID(), at), machine.start(), "restarted");
        }
        if (input.isReaction()) {
            // an emoji reaction to one of our messages answers nothing and asks for nothing
            return new Step(lead, List.of(), "reaction_ignored", false);
        }
        Lead current = lead;
        switch (lead.status()) {
            case Lead.ESCALATED -> {
                return new Step(lead, List.of(), "with_human", false);
            }
            case Lead.COMPLETED -> {
                String after = machine.afterCompletionMessage();
                return new Step(lead, after == null ? List.of() : List.of(text(after, lead)), "after_completion", false);
            }
            case Lead.COLD -> current = lead.withStatus(Lead.ACTIVE);
            default -> {
                // active: the message answers the current state
            }
        }
        State state = machine.state(current.currentState());
        if (state == null || state.kind() == Kind.END) {
            // the machine was changed under the conversation and no longer has its state
            return enter(machine, current.restarted(UUID.randomUUID(), at), machine.start(), "state_gone");
        }
        if (input.flowReply() != null) {
            if (state.kind() == Kind.FLOW && replySession != null && replySession.equals(current.flowSessionId())) {
                return answered(machine, current, state, CelValues.map(input.flowReply().params()), "flow_completed");
            }
            // the completion of a Flow this conversation is not waiting for (an old one, another one)
            return new Step(current, List.of(), "unmatched_flow_reply", false);
        }
        Object value = state.kind() == Kind.QUESTION ? Answers.accept(state.answer(), state.question(), input) : null;
        return value == null ? invalid(machine, current, state) : answered(machine, current, state, value, "answered");
    }

    private static Step answered(ChatMachine machine, Lead lead, State state, Object value, String outcome) {
        Map<String, Object> data = new LinkedHashMap<>(lead.data());
        if (state.store() != null) {
            data.put(state.store(), value);
        } else if (value instanceof Map<?, ?> params) {
            params.forEach((k, v) -> data.put(String.valueOf(k), v));
        }
        long points = points(machine, state, value, data, lead.score());
        int score = (int) Math.max(-MAX_SCORE, Math.min(MAX_SCORE, lead.score() + points));
        String next = next(machine, state, value, data, score);
        return enter(machine, lead.answered(data, score), next, outcome);
    }

    private static Step invalid(ChatMachine machine, Lead lead, State state) {
        if (lead.retries() >= state.maxRetries()) {
            return enter(machine, lead, ChatMachine.HUMAN, "escalated");
        }
        Question q = state.question();
        String prompt = render(state.retryPrompt(), lead.data());
        // a choice is asked again with its buttons, so the user can still just tap
        ObjectNode body = q != null && !q.options().isEmpty() ? ask(q, prompt) : Messages.text(prompt);
        return new Step(lead.retried(), List.of(new Reply.Message(body)), "retried", false);
    }

    private static Step enter(ChatMachine machine, Lead lead, String stateId, String outcome) {
        if (ChatMachine.HUMAN.equals(stateId)) {
            Lead after = lead.entering(ChatMachine.HUMAN, Lead.ESCALATED);
            return new Step(after, List.of(text(machine.escalationMessage(), after)), "escalated", true);
        }
        State state = machine.state(stateId);
        return switch (state.kind()) {
            case QUESTION -> {
                Lead after = lead.entering(stateId, Lead.ACTIVE);
                yield new Step(after, List.of(new Reply.Message(ask(state.question(),
                        render(state.question().text(), after.data())))), outcome, true);
            }
            case FLOW -> {
                Lead after = lead.entering(stateId, Lead.ACTIVE);
                yield new Step(after, List.of(new Reply.OpenFlow(state.flow(), render(state.flow().text(), after.data()))),
                        outcome, true);
            }
            case END -> {
                Lead after = lead.entering(stateId, Lead.COMPLETED);
                String message = state.message() != null ? state.message() : machine.completionMessage();
                yield new Step(after, List.of(text(message, after)), "completed", true);
            }
        };
    }

    private static long points(ChatMachine machine, State state, Object value, Map<String, Object> data, int score) {
        if (!state.scorePoints().isEmpty()) {
            return state.scorePoints().getOrDefault(String.valueOf(value), 0L);
        }
        if (state.scoreExpression() == null) {
            return 0;
        }
        try {
            return ChatCel.points(state.scoreExpression(), ChatCel.variables(value, data, score));
        } catch (CelEvaluationException e) {
            log.warn("chat machine {} state {}: score not computed, 0 points ({})", machine.id(), state.id(), e.getMessage());
            return 0;
        }
    }

    private static String next(ChatMachine machine, State state, Object value, Map<String, Object> data, int score) {
        Map<String, Object> variables = ChatCel.variables(value, data, score);
        for (Transition t : state.next()) {
            if (t.condition() == null) {
                return t.to();
            }
            try {
                if (ChatCel.holds(t.condition(), variables)) {
                    return t.to();
                }
            } catch (CelEvaluationException e) {
                log.warn("chat machine {} state {}: condition '{}' failed, taken as false ({})",
                        machine.id(), state.id(), t.when(), e.getMessage());
            }
        }
        // unreachable for a validated machine: its last transition has no condition
        return state.next().get(state.next().size() - 1).to();
    }

    private static ObjectNode ask(Question q, String body) {
        if (!q.buttons().isEmpty()) {
            return Messages.buttons(body, titles(q.buttons()));
        }
        if (!q.list().isEmpty()) {
            return Messages.list(body, q.listButton(), titles(q.list()));
        }
        return Messages.text(body);
    }

    private static Map<String, String> titles(List<Option> options) {
        Map<String, String> out = new LinkedHashMap<>();
        options.forEach(o -> out.put(o.id(), o.title()));
        return out;
    }

    private static Reply text(String template, Lead lead) {
        return new Reply.Message(Messages.text(render(template, lead.data())));
    }

    /** Replaces {@code {{field}}} with the lead's value (a missing field with nothing). */
    static String render(String template, Map<String, Object> data) {
        Matcher m = MachineParser.PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object v = data.get(m.group(1));
            String s = v == null ? "" : v instanceof Map || v instanceof List ? "" : String.valueOf(v);
            if (s.length() > MAX_PLACEHOLDER_VALUE) {
                s = s.substring(0, MAX_PLACEHOLDER_VALUE);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(s));
        }
        m.appendTail(out);
        return out.toString();
    }
}
