package io.flowgate.simulator.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The uploaded Flow JSON as the WhatsApp client renders it: which screens go back with a request
 * ({@code refresh_on_back}) and what a screen's footer sends when the user taps it — the
 * {@code data_exchange} payload with {@code ${form.x}} filled from what the user entered and
 * {@code ${data.x}} from what the screen was shown with. A user picks from a dropdown or radio group
 * among the options the screen's data lists, so the simulator plays whatever the endpoint answered.
 */
final class FlowScreens {

    /** The reserved screen id of a completed Flow. */
    static final String SUCCESS = "SUCCESS";
    private static final Set<String> PICKERS = Set.of("Dropdown", "RadioButtonsGroup", "CheckboxGroup", "ChipsSelector");

    private final Map<String, JsonNode> screens = new LinkedHashMap<>();

    FlowScreens(JsonNode flowJson) {
        for (JsonNode screen : flowJson.path("screens")) {
            screens.put(screen.path("id").asText(), screen);
        }
        if (screens.isEmpty()) {
            throw new IllegalArgumentException("the Flow JSON has no screens");
        }
    }

    /** The screen ids in the order the Flow JSON lists them. */
    List<String> ids() {
        return List.copyOf(screens.keySet());
    }

    /** Whether pressing back on {@code screen} asks the endpoint ({@code BACK}) rather than going back on the phone. */
    boolean refreshOnBack(String screen) {
        return screens.containsKey(screen) && screens.get(screen).path("refresh_on_back").asBoolean(false);
    }

    /**
     * The payload of a tap on {@code screen}'s footer.
     *
     * @param shown   the data the screen was shown with
     * @param answers what this user types or picks, by component name; other fields are picked at random
     *                among the options the screen lists
     * @throws IllegalStateException when the footer does not exchange data with the endpoint
     */
    ObjectNode submit(String screen, JsonNode shown, Map<String, String> answers, RandomGenerator random) {
        JsonNode definition = screens.get(screen);
        if (definition == null) {
            throw new IllegalStateException("the Flow has no screen " + screen);
        }
        Map<String, JsonNode> form = new HashMap<>();
        JsonNode footerAction = fill(definition.path("layout").path("children"), shown, answers, random, form);
        if (footerAction == null || !"data_exchange".equals(footerAction.path("name").asText())) {
            throw new IllegalStateException("screen " + screen + " has no footer that exchanges data with the endpoint");
        }
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = footerAction.path("payload").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = resolve(field.getValue(), form, shown);
            if (value != null) {
                payload.set(field.getKey(), value);
            }
        }
        return payload;
    }

    /** Fills the form from the components (nested in a Form or not); returns the footer's action. */
    private static JsonNode fill(JsonNode children, JsonNode shown, Map<String, String> answers, RandomGenerator random,
                                 Map<String, JsonNode> form) {
        JsonNode footer = null;
        for (JsonNode component : children) {
            String type = component.path("type").asText();
            String name = component.path("name").asText(null);
            if ("Footer".equals(type)) {
                footer = component.path("on-click-action");
            } else if (component.has("children")) {
                JsonNode nested = fill(component.path("children"), shown, answers, random, form);
                footer = nested != null ? nested : footer;
            }
            if (name == null) {
                continue;
            }
            if (answers.containsKey(name)) {
                form.put(name, JsonNodeFactory.instance.textNode(answers.get(name)));
            } else if (PICKERS.contains(type)) {
                JsonNode option = pick(options(component.path("data-source"), shown), random);
                if (option != null) {
                    form.put(name, option.path("id"));
                }
            } else if ("TextInput".equals(type) || "TextArea".equals(type)) {
                form.put(name, JsonNodeFactory.instance.textNode("number".equals(component.path("input-type").asText())
                        ? String.valueOf(1 + random.nextInt(999)) : "simulated answer"));
            }
        }
        return footer;
    }

    /** A data source is either a list in the Flow JSON or a {@code ${data.x}} binding to the shown data. */
    private static JsonNode options(JsonNode source, JsonNode shown) {
        if (source.isTextual()) {
            String field = binding(source.asText(), "data");
            return field == null || shown == null ? null : shown.path(field);
        }
        return source;
    }

    private static JsonNode pick(JsonNode options, RandomGenerator random) {
        if (options == null || !options.isArray() || options.isEmpty()) {
            return null;
        }
        return options.get(random.nextInt(options.size()));
    }

    private static JsonNode resolve(JsonNode value, Map<String, JsonNode> form, JsonNode shown) {
        if (!value.isTextual()) {
            return value;
        }
        String formField = binding(value.asText(), "form");
        if (formField != null) {
            return form.get(formField);
        }
        String dataField = binding(value.asText(), "data");
        if (dataField != null) {
            JsonNode v = shown == null ? null : shown.get(dataField);
            return v == null || v.isNull() ? null : v;
        }
        return value;
    }

    /** {@code x} for {@code ${scope.x}}, else null. */
    private static String binding(String text, String scope) {
        String prefix = "${" + scope + ".";
        return text.startsWith(prefix) && text.endsWith("}") ? text.substring(prefix.length(), text.length() - 1) : null;
    }
}
