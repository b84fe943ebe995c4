package io.flowgate.routing.chat.machine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.runtime.CelRuntime;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A lead-qualification machine: its JSON definition, validated and compiled by {@link MachineParser}.
 * Immutable, so one compiled machine serves every conversation on every consumer thread. The format is
 * documented in {@code docs/chat.md}.
 *
 * @param id                     the machine id (the {@code flow_id} of its transition events)
 * @param definition             the JSON as uploaded
 * @param start                  the state a conversation starts in (also after {@code RESTART})
 * @param restartKeyword         the text that starts the conversation over, compared ignoring case
 * @param completionMessage      sent on reaching an end state that has no message of its own
 * @param escalationMessage      sent when the lead is handed to a human
 * @param afterCompletionMessage the answer to messages after completion; null for none
 * @param analyticsFields        the lead fields that transition events carry (never free text)
 * @param states                 the states by id, in definition order
 */
public record ChatMachine(
        String id,
        JsonNode definition,
        String start,
        String restartKeyword,
        String completionMessage,
        String escalationMessage,
        String afterCompletionMessage,
        List<String> analyticsFields,
        Map<String, State> states) {

    /** The state of a lead handed to a human; every machine has it implicitly. */
    public static final String HUMAN = "HUMAN";

    public ChatMachine {
        analyticsFields = List.copyOf(analyticsFields);
        states = Collections.unmodifiableMap(new LinkedHashMap<>(states));
    }

    public State state(String stateId) {
        return states.get(stateId);
    }

    public enum Kind { QUESTION, FLOW, END }

    public enum AnswerType {
        NUMBER, CHOICE, TEXT, EMAIL, ANY;

        /** Types whose answers are free text, which must never reach analytics events. */
        static final Set<AnswerType> FREE_TEXT = Set.of(TEXT, EMAIL, ANY);
    }

    /** A reply button or list row: what the user taps ({@code title}) and what is stored ({@code id}). */
    public record Option(String id, String title) {
    }

    /** What a question state sends: a text, with reply buttons or a list whose rows are the choices. */
    public record Question(String text, List<Option> buttons, String listButton, List<Option> list) {
        public Question {
            buttons = List.copyOf(buttons);
            list = List.copyOf(list);
        }

        public List<Option> options() {
            return buttons.isEmpty() ? list : buttons;
        }
    }

    /** How an answer is validated: {@code min}/{@code max} for numbers, {@code maxLength} for text. */
    public record Answer(AnswerType type, BigDecimal min, BigDecimal max, int maxLength) {
    }

    /** A Flow the state hands the user into: the Flow message's body text and button label. */
    public record FlowStep(String flowId, String text, String cta) {
    }

    /** Go to {@code to} when {@code condition} holds; a null condition always holds. */
    public record Transition(String when, CelRuntime.Program condition, String to) {
    }

    /**
     * One state.
     *
     * @param store       the lead field the answer is stored in; for a Flow state null means the completion's
     *                    params are merged into the lead's fields
     * @param scoreExpression CEL points added by the answer, or null
     * @param scorePoints points by chosen option id, or empty
     * @param message     an end state's message (null: the machine's completion message)
     */
    public record State(
            String id,
            Kind kind,
            Question question,
            Answer answer,
            FlowStep flow,
            String message,
            String store,
            CelRuntime.Program scoreExpression,
            Map<String, Long> scorePoints,
            List<Transition> next,
            String retryPrompt,
            int maxRetries) {

        public State {
            scorePoints = Map.copyOf(scorePoints);
            next = List.copyOf(next);
        }
    }
}
