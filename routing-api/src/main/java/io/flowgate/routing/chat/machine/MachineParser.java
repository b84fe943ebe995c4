package io.flowgate.routing.chat.machine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.runtime.CelRuntime;
import io.flowgate.routing.chat.machine.ChatMachine.Answer;
import io.flowgate.routing.chat.machine.ChatMachine.AnswerType;
import io.flowgate.routing.chat.machine.ChatMachine.FlowStep;
import io.flowgate.routing.chat.machine.ChatMachine.Kind;
import io.flowgate.routing.chat.machine.ChatMachine.Option;
import io.flowgate.routing.chat.machine.ChatMachine.Question;
import io.flowgate.routing.chat.machine.ChatMachine.State;
import io.flowgate.routing.chat.machine.ChatMachine.Transition;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a machine's JSON definition and checks everything that could go wrong in a conversation before
 * the machine is stored: unknown fields (typos), states that cannot be reached, transitions to states that
 * do not exist, CEL that does not compile or has the wrong type, a state that could be left without a
 * next state, choices scored that the question does not offer, placeholders naming fields nothing stores,
 * free text marked for analytics, and every size. Collects all problems rather than stopping at the first,
 * so that one upload shows the author everything to fix.
 */
public final class MachineParser {

    static final int MAX_STATES = 50;
    static final int MAX_TRANSITIONS = 20;
    static final int MAX_TEXT = 1024;
    static final int MAX_TEXT_ANSWER = 1000;
    static final int DEFAULT_TEXT_ANSWER = 200;
    static final int MAX_RETRIES = 10;
    static final int DEFAULT_RETRIES = 2;
    static final int MAX_POINTS = 1000;
    static final int MAX_BUTTONS = 3;
    static final int MAX_BUTTON_TITLE = 20;
    static final int MAX_LIST_ROWS = 10;
    static final int MAX_ROW_TITLE = 24;
    static final int MAX_ANALYTICS_FIELDS = 20;

    public static final Pattern MACHINE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern STATE_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,39}");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,39}");
    private static final Pattern OPTION_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern FLOW_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    public static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z][A-Za-z0-9_]*)\\s*}}");

    private static final Set<String> MACHINE_FIELDS = Set.of("description", "start", "max_retries", "restart_keyword",
            "retry_prompt", "completion_message", "escalation_message", "after_completion_message", "analytics_fields", "states");
    private static final Set<String> STATE_FIELDS = Set.of("question", "answer", "store", "score", "next", "retry_prompt",
            "max_retries", "flow", "end", "message");
    private static final Set<String> QUESTION_FIELDS = Set.of("text", "buttons", "list");
    private static final Set<String> LIST_FIELDS = Set.of("button", "options");
    private static final Set<String> ANSWER_FIELDS = Set.of("type", "min", "max", "max_length");
    private static final Set<String> FLOW_FIELDS = Set.of("flow_id", "text", "cta");
    private static final Set<String> TRANSITION_FIELDS = Set.of("when", "to");

    private static final String DEFAULT_RETRY_PROMPT = "Sorry, I did not understand that. Please try again.";
    private static final String DEFAULT_FLOW_RETRY_PROMPT = "Please complete the form above to continue.";
    private static final String DEFAULT_COMPLETION = "Thank you! We have everything we need.";
    private static final String DEFAULT_ESCALATION = "Thank you. A member of our team will continue this conversation with you shortly.";

    private final List<String> problems = new ArrayList<>();
    /** Texts that may hold placeholders, checked once every stored field is known. */
    private final Map<String, String> texts = new LinkedHashMap<>();

    private MachineParser() {
    }

    /**
     * Parses and validates a definition.
     *
     * @throws MachineValidationException listing every problem
     */
    public static ChatMachine parse(String id, JsonNode json) {
        return new MachineParser().machine(id, json);
    }

    /**
     * A definition with other definitions of some of its states (an experiment's treatment): each entry of
     * {@code states} replaces the state of the same id, or adds it; an entry that is JSON null removes the
     * state. Everything else is kept, the order of the states too. Parse the result to validate it.
     */
    public static ObjectNode withStates(JsonNode definition, JsonNode states) {
        ObjectNode out = definition.deepCopy();
        JsonNode existing = out.get("states");
        if (states == null || states.isEmpty() || existing == null || !existing.isObject()) {
            return out;
        }
        ObjectNode merged = ((ObjectNode) existing).deepCopy();
        states.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                merged.remove(e.getKey());
            } else {
                merged.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        out.set("states", merged);
        return out;
    }

    private ChatMachine machine(String id, JsonNode json) {
        if (id == null || !MACHINE_ID.matcher(id).matches()) {
            problems.add("id: 1-64 letters, digits, '_', '.' or '-'");
        }
        if (json == null || !json.isObject()) {
            throw new MachineValidationException(List.of("the definition must be a JSON object"));
        }
        unknownFields("", json, MACHINE_FIELDS);
        optionalText("description", json.get("description"), 500);
        int maxRetries = integer("max_retries", json.get("max_retries"), 0, MAX_RETRIES, DEFAULT_RETRIES);
        String retryPrompt = text("retry_prompt", json.get("retry_prompt"), DEFAULT_RETRY_PROMPT);
        String completion = text("completion_message", json.get("completion_message"), DEFAULT_COMPLETION);
        String escalation = text("escalation_message", json.get("escalation_message"), DEFAULT_ESCALATION);
        String afterCompletion = text("after_completion_message", json.get("after_completion_message"), null);
        String restart = text("restart_keyword", json.get("restart_keyword"), "RESTART");
        if (restart != null && (restart.isBlank() || restart.length() > 32)) {
            problems.add("restart_keyword: 1 to 32 characters");
        }

        JsonNode statesJson = json.get("states");
        Map<String, State> states = new LinkedHashMap<>();
        if (statesJson == null || !statesJson.isObject() || statesJson.isEmpty()) {
            problems.add("states: required, an object of states by id");
        } else if (statesJson.size() > MAX_STATES) {
            problems.add("states: at most " + MAX_STATES + " (there are " + statesJson.size() + ")");
        } else {
            Iterator<Map.Entry<String, JsonNode>> it = statesJson.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                State state = state(e.getKey(), e.getValue(), maxRetries, retryPrompt);
                if (state != null) {
                    states.put(state.id(), state);
                }
            }
        }

        String start = json.path("start").isTextual() ? json.get("start").asText() : null;
        if (start == null) {
            problems.add("start: required, the id of the first state");
        } else if (!statesJson.path(start).isObject()) {
            problems.add("start: no state " + start);
        } else if (states.containsKey(start) && states.get(start).kind() == Kind.END) {
            problems.add("start: must ask something, not be an end state");
        }
        if (statesJson != null && statesJson.isObject()) {
            checkTargets(statesJson, states);
            if (start != null && states.containsKey(start) && states.size() == statesJson.size()) {
                checkReachable(start, states);
            }
            if (!states.isEmpty() && states.values().stream().noneMatch(s -> s.kind() == Kind.END)) {
                problems.add("states: at least one end state (\"end\": true) is needed, or no lead can ever complete");
            }
        }
        List<String> analytics = analyticsFields(json.get("analytics_fields"), states);
        checkPlaceholders(states);
        if (!problems.isEmpty()) {
            throw new MachineValidationException(problems);
        }
        return new ChatMachine(id, json, start, restart, completion, escalation, afterCompletion, analytics, states);
    }

    private State state(String id, JsonNode json, int defaultRetries, String defaultRetryPrompt) {
        String where = "states." + id;
        if (!STATE_ID.matcher(id).matches()) {
            problems.add(where + ": a state id is a letter then up to 39 letters, digits or '_'");
            return null;
        }
        if (ChatMachine.HUMAN.equals(id)) {
            problems.add(where + ": HUMAN is reserved for leads handed to a human; transition to it instead of defining it");
            return null;
        }
        if (!json.isObject()) {
            problems.add(where + ": must be an object");
            return null;
        }
        unknownFields(where + ".", json, STATE_FIELDS);
        boolean end = json.path("end").asBoolean(false);
        boolean flow = json.has("flow");
        boolean question = json.has("question");
        if ((end ? 1 : 0) + (flow ? 1 : 0) + (question ? 1 : 0) != 1) {
            problems.add(where + ": exactly one of \"question\", \"flow\" or \"end\": true");
            return null;
        }
        if (end) {
            for (String field : List.of("answer", "store", "score", "next", "retry_prompt", "max_retries")) {
                if (json.has(field)) {
                    problems.add(where + "." + field + ": an end state asks nothing and goes nowhere");
                }
            }
            String message = text(where + ".message", json.get("message"), null);
            remember(where + ".message", message);
            return new State(id, Kind.END, null, null, null, message, null, null, Map.of(), List.of(), null, 0);
        }
        if (json.has("message")) {
            problems.add(where + ".message: only end states have a message");
        }
        int maxRetries = integer(where + ".max_retries", json.get("max_retries"), 0, MAX_RETRIES, defaultRetries);
        String store = json.has("store") ? field(where + ".store", json.get("store")) : null;
        List<Transition> next = transitions(where + ".next", json.get("next"));
        if (flow) {
            FlowStep step = flowStep(where + ".flow", json.get("flow"));
            if (json.has("answer")) {
                problems.add(where + ".answer: a Flow state's answer is the Flow's completion");
            }
            if (json.path("score").isObject()) {
                problems.add(where + ".score: points by choice need a choice question; use a CEL expression over answer (the Flow's params)");
            }
            CelRuntime.Program score = json.path("score").isTextual() ? ChatCel.score(where + ".score", json.get("score").asText(), problems) : null;
            String retry = text(where + ".retry_prompt", json.get("retry_prompt"), DEFAULT_FLOW_RETRY_PROMPT);
            remember(where + ".retry_prompt", retry);
            return new State(id, Kind.FLOW, null, null, step, null, store, score, Map.of(), next, retry, maxRetries);
        }
        Question q = question(where + ".question", json.get("question"));
        Answer answer = answer(where + ".answer", json.get("answer"));
        if (q != null && answer != null) {
            boolean hasOptions = !q.options().isEmpty();
            if (answer.type() == AnswerType.CHOICE && !hasOptions) {
                problems.add(where + ".answer: a choice needs question.buttons or question.list to choose from");
            }
            if (hasOptions && answer.type() != AnswerType.CHOICE && answer.type() != AnswerType.ANY) {
                problems.add(where + ".question: buttons or a list only go with an answer of type choice or any");
            }
        }
        if (store == null) {
            problems.add(where + ".store: required, the lead field the answer is stored in");
        }
        CelRuntime.Program scoreExpression = null;
        Map<String, Long> points = Map.of();
        JsonNode score = json.get("score");
        if (score != null && score.isTextual()) {
            scoreExpression = ChatCel.score(where + ".score", score.asText(), problems);
        } else if (score != null && score.isObject()) {
            points = points(where + ".score", score, q, answer);
        } else if (score != null && !score.isNull()) {
            problems.add(where + ".score: a CEL expression, or an object of points by choice");
        }
        String retry = text(where + ".retry_prompt", json.get("retry_prompt"), defaultRetryPrompt);
        remember(where + ".retry_prompt", retry);
        return new State(id, Kind.QUESTION, q, answer, null, null, store, scoreExpression, points, next, retry, maxRetries);
    }

    private Question question(String where, JsonNode json) {
        if (json == null || !json.isObject()) {
            problems.add(where + ": an object with text, and buttons or a list");
            return null;
        }
        unknownFields(where + ".", json, QUESTION_FIELDS);
        String text = text(where + ".text", json.get("text"), null);
        if (text == null || text.isBlank()) {
            problems.add(where + ".text: required");
        }
        remember(where + ".text", text);
        List<Option> buttons = List.of();
        List<Option> list = List.of();
        String listButton = null;
        if (json.has("buttons") && json.has("list")) {
            problems.add(where + ": buttons or a list, not both");
        }
        if (json.has("buttons")) {
            buttons = options(where + ".buttons", json.get("buttons"), MAX_BUTTONS, MAX_BUTTON_TITLE);
        } else if (json.has("list")) {
            JsonNode l = json.get("list");
            if (!l.isObject()) {
                problems.add(where + ".list: an object {button, options}");
            } else {
                unknownFields(where + ".list.", l, LIST_FIELDS);
                listButton = text(where + ".list.button", l.get("button"), null);
                if (listButton == null || listButton.isBlank() || listButton.length() > MAX_BUTTON_TITLE) {
                    problems.add(where + ".list.button: required, the label of the list's button, at most " + MAX_BUTTON_TITLE + " characters");
                }
                list = options(where + ".list.options", l.get("options"), MAX_LIST_ROWS, MAX_ROW_TITLE);
            }
        }
        return new Question(text, buttons, listButton, list);
    }

    private List<Option> options(String where, JsonNode json, int max, int maxTitle) {
        if (json == null || !json.isObject() || json.isEmpty() || json.size() > max) {
            problems.add(where + ": an object of 1 to " + max + " options, id to title");
            return List.of();
        }
        List<Option> options = new ArrayList<>();
        Set<String> titles = new HashSet<>();
        json.fields().forEachRemaining(e -> {
            String id = e.getKey();
            String title = e.getValue().isTextual() ? e.getValue().asText() : null;
            if (!OPTION_ID.matcher(id).matches()) {
                problems.add(where + "." + id + ": an option id is 1-64 letters, digits, '_', '.', ':' or '-'");
            } else if (title == null || title.isBlank() || title.length() > maxTitle) {
                problems.add(where + "." + id + ": the title is required, at most " + maxTitle + " characters");
            } else if (!titles.add(title.trim().toLowerCase(Locale.ROOT))) {
                problems.add(where + "." + id + ": two options are titled " + title);
            } else {
                options.add(new Option(id, title));
            }
        });
        return options;
    }

    private Answer answer(String where, JsonNode json) {
        if (json == null || !json.isObject()) {
            problems.add(where + ": required, {\"type\": number | choice | text | email | any, ...}");
            return null;
        }
        unknownFields(where + ".", json, ANSWER_FIELDS);
        AnswerType type;
        try {
            type = AnswerType.valueOf(json.path("type").asText("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(where + ".type: one of number, choice, text, email, any");
            return null;
        }
        BigDecimal min = null;
        BigDecimal max = null;
        if (json.has("min") || json.has("max")) {
            if (type != AnswerType.NUMBER) {
                problems.add(where + ": min and max only apply to numbers");
            }
            min = number(where + ".min", json.get("min"));
            max = number(where + ".max", json.get("max"));
            if (min != null && max != null && min.compareTo(max) > 0) {
                problems.add(where + ": min is greater than max");
            }
        }
        int maxLength = DEFAULT_TEXT_ANSWER;
        if (json.has("max_length")) {
            if (type != AnswerType.TEXT) {
                problems.add(where + ".max_length: only applies to text");
            }
            maxLength = integer(where + ".max_length", json.get("max_length"), 1, MAX_TEXT_ANSWER, DEFAULT_TEXT_ANSWER);
        }
        return new Answer(type, min, max, maxLength);
    }

    private FlowStep flowStep(String where, JsonNode json) {
        if (json == null || !json.isObject()) {
            problems.add(where + ": an object {flow_id, text, cta}");
            return null;
        }
        unknownFields(where + ".", json, FLOW_FIELDS);
        String flowId = json.path("flow_id").isTextual() ? json.get("flow_id").asText() : null;
        if (flowId == null || !FLOW_ID.matcher(flowId).matches()) {
            problems.add(where + ".flow_id: required, the id of the Flow to open");
        }
        String text = text(where + ".text", json.get("text"), null);
        if (text == null || text.isBlank()) {
            problems.add(where + ".text: required, the body of the Flow message");
        }
        remember(where + ".text", text);
        String cta = text(where + ".cta", json.get("cta"), null);
        if (cta == null || cta.isBlank() || cta.length() > MAX_BUTTON_TITLE) {
            problems.add(where + ".cta: required, the Flow button's label, at most " + MAX_BUTTON_TITLE + " characters");
        }
        return new FlowStep(flowId, text, cta);
    }

    private List<Transition> transitions(String where, JsonNode json) {
        if (json != null && json.isTextual()) {
            return List.of(new Transition(null, null, json.asText()));
        }
        if (json == null || !json.isArray() || json.isEmpty()) {
            problems.add(where + ": required, a state id or a list of {\"when\"?, \"to\"} ending with one without \"when\"");
            return List.of();
        }
        if (json.size() > MAX_TRANSITIONS) {
            problems.add(where + ": at most " + MAX_TRANSITIONS + " transitions");
            return List.of();
        }
        List<Transition> out = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            JsonNode t = json.get(i);
            String at = where + "[" + i + "]";
            if (!t.isObject() || !t.path("to").isTextual()) {
                problems.add(at + ": {\"when\"?: CEL, \"to\": state}");
                continue;
            }
            unknownFields(at + ".", t, TRANSITION_FIELDS);
            String when = t.path("when").isTextual() ? t.get("when").asText() : null;
            if (t.has("when") && when == null) {
                problems.add(at + ".when: a CEL expression");
            }
            CelRuntime.Program condition = when == null ? null : ChatCel.condition(at + ".when", when, problems);
            out.add(new Transition(when, condition, t.get("to").asText()));
        }
        if (!out.isEmpty() && out.get(out.size() - 1).when() != null) {
            problems.add(where + ": the last transition must have no \"when\", so that a state always has a next state");
        }
        return out;
    }

    private Map<String, Long> points(String where, JsonNode json, Question q, Answer answer) {
        if (answer == null || answer.type() != AnswerType.CHOICE || q == null) {
            problems.add(where + ": points by choice need an answer of type choice; use a CEL expression otherwise");
            return Map.of();
        }
        Set<String> ids = new HashSet<>();
        q.options().forEach(o -> ids.add(o.id()));
        Map<String, Long> points = new LinkedHashMap<>();
        json.fields().forEachRemaining(e -> {
            if (!ids.contains(e.getKey())) {
                problems.add(where + "." + e.getKey() + ": the question offers no such choice (it offers " + ids + ")");
            } else if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber()
                    || Math.abs(e.getValue().asInt()) > MAX_POINTS) {
                problems.add(where + "." + e.getKey() + ": whole points from -" + MAX_POINTS + " to " + MAX_POINTS);
            } else {
                points.put(e.getKey(), e.getValue().asLong());
            }
        });
        return points;
    }

    private void checkTargets(JsonNode statesJson, Map<String, State> states) {
        for (State s : states.values()) {
            for (int i = 0; i < s.next().size(); i++) {
                String to = s.next().get(i).to();
                if (!ChatMachine.HUMAN.equals(to) && !statesJson.path(to).isObject()) {
                    problems.add("states." + s.id() + ".next" + (s.next().size() > 1 ? "[" + i + "]" : "")
                            + ": no state " + to + " (there are " + states.keySet() + " and HUMAN)");
                }
            }
        }
    }

    private void checkReachable(String start, Map<String, State> states) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(start));
        while (!todo.isEmpty()) {
            String id = todo.pop();
            State s = states.get(id);
            if (s == null || !seen.add(id)) {
                continue;
            }
            s.next().forEach(t -> todo.push(t.to()));
        }
        for (String id : states.keySet()) {
            if (!seen.contains(id)) {
                problems.add("states." + id + ": cannot be reached from " + start);
            }
        }
    }

    private List<String> analyticsFields(JsonNode json, Map<String, State> states) {
        if (json == null || json.isNull()) {
            return List.of();
        }
        if (!json.isArray() || json.size() > MAX_ANALYTICS_FIELDS) {
            problems.add("analytics_fields: a list of at most " + MAX_ANALYTICS_FIELDS + " lead fields");
            return List.of();
        }
        boolean flowMerges = states.values().stream().anyMatch(s -> s.kind() == Kind.FLOW && s.store() == null);
        Set<String> fields = new LinkedHashSet<>();
        for (JsonNode f : json) {
            String name = f.isTextual() ? f.asText() : "";
            List<State> storing = states.values().stream().filter(s -> name.equals(s.store())).toList();
            if (storing.stream().anyMatch(s -> s.answer() != null && AnswerType.FREE_TEXT.contains(s.answer().type()))) {
                problems.add("analytics_fields: " + name + " is free text (personal data); only numbers and choices may go to analytics");
            } else if (storing.isEmpty() && !flowMerges) {
                problems.add("analytics_fields: no state stores " + (name.isEmpty() ? "''" : name));
            } else {
                fields.add(name);
            }
        }
        return List.copyOf(fields);
    }

    /** Every {@code {{field}}} must name a field some state stores (or a Flow's params could bring). */
    private void checkPlaceholders(Map<String, State> states) {
        Set<String> stored = new HashSet<>();
        boolean flowMerges = false;
        for (State s : states.values()) {
            if (s.store() != null) {
                stored.add(s.store());
            }
            flowMerges |= s.kind() == Kind.FLOW && s.store() == null;
        }
        for (Map.Entry<String, String> t : texts.entrySet()) {
            Matcher m = PLACEHOLDER.matcher(t.getValue());
            while (m.find()) {
                if (!stored.contains(m.group(1)) && !flowMerges) {
                    problems.add(t.getKey() + ": {{" + m.group(1) + "}} names a field no state stores");
                }
            }
        }
    }

    private void remember(String where, String text) {
        if (text != null) {
            texts.put(where, text);
        }
    }

    private String text(String where, JsonNode json, String fallback) {
        if (json == null || json.isNull()) {
            return fallback;
        }
        if (!json.isTextual()) {
            problems.add(where + ": must be a string");
            return fallback;
        }
        if (json.asText().length() > MAX_TEXT) {
            problems.add(where + ": at most " + MAX_TEXT + " characters");
        }
        return json.asText();
    }

    private void optionalText(String where, JsonNode json, int max) {
        if (json != null && !json.isNull() && (!json.isTextual() || json.asText().length() > max)) {
            problems.add(where + ": a string of at most " + max + " characters");
        }
    }

    private String field(String where, JsonNode json) {
        if (!json.isTextual() || !FIELD.matcher(json.asText()).matches()) {
            problems.add(where + ": a field name: a letter then up to 39 letters, digits or '_'");
            return null;
        }
        return json.asText();
    }

    private int integer(String where, JsonNode json, int min, int max, int fallback) {
        if (json == null || json.isNull()) {
            return fallback;
        }
        if (!json.isIntegralNumber() || !json.canConvertToInt() || json.asInt() < min || json.asInt() > max) {
            problems.add(where + ": a whole number from " + min + " to " + max);
            return fallback;
        }
        return json.asInt();
    }

    private BigDecimal number(String where, JsonNode json) {
        if (json == null || json.isNull()) {
            return null;
        }
        if (!json.isNumber()) {
            problems.add(where + ": must be a number");
            return null;
        }
        return json.decimalValue();
    }

    private void unknownFields(String prefix, JsonNode json, Set<String> known) {
        json.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                problems.add(prefix + name + ": unknown field (known: " + known.stream().sorted().toList() + ")");
            }
        });
    }
}
