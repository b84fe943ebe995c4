package io.flowgate.routing.flows;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Flow's JSON, parsed and checked against the rules Meta's client enforces (screen ids, the
 * {@code routing_model}, terminal screens, declared screen data), so that Flowgate can never answer a
 * phone with a screen the Flow does not have or a route it forbids. Immutable; built by {@link #parse}.
 */
public final class FlowDefinition {

    /** The reserved screen id that closes the Flow. */
    public static final String SUCCESS = "SUCCESS";
    public static final Set<String> DATA_API_VERSIONS = Set.of("3.0", "4.0");
    static final int MAX_BRANCHES = 10;
    static final int MAX_SCREENS = 100;
    private static final Pattern SCREEN_ID = Pattern.compile("[A-Za-z_]{1,100}");
    private static final Set<String> DATA_TYPES = Set.of("string", "number", "integer", "boolean", "object", "array");

    /** One screen: its id, whether it ends the Flow, and the data it declares (name to JSON schema). */
    public record Screen(String id, boolean terminal, boolean success, boolean refreshOnBack, Map<String, JsonNode> data) {
    }

    private final String flowId;
    private final JsonNode json;
    private final String dataApiVersion;
    private final Map<String, Screen> screens;
    private final Map<String, List<String>> routes;
    private final List<String> entryScreens;

    private FlowDefinition(String flowId, JsonNode json, String dataApiVersion, Map<String, Screen> screens,
                           Map<String, List<String>> routes, List<String> entryScreens) {
        this.flowId = flowId;
        this.json = json;
        this.dataApiVersion = dataApiVersion;
        this.screens = Collections.unmodifiableMap(screens);
        this.routes = Collections.unmodifiableMap(routes);
        this.entryScreens = List.copyOf(entryScreens);
    }

    public String flowId() {
        return flowId;
    }

    public JsonNode json() {
        return json;
    }

    public String dataApiVersion() {
        return dataApiVersion;
    }

    /** Screens in the order of the Flow JSON. */
    public Map<String, Screen> screens() {
        return screens;
    }

    public boolean hasScreen(String id) {
        return id != null && screens.containsKey(id);
    }

    public Screen screen(String id) {
        return screens.get(id);
    }

    /** The screens {@code from} may route to, per the routing model (empty for a terminal screen). */
    public List<String> routesFrom(String from) {
        return routes.getOrDefault(from, List.of());
    }

    /** The screen INIT opens when no rule says otherwise: the first screen with no inbound route. */
    public String entryScreen() {
        return entryScreens.get(0);
    }

    /** Every screen with no inbound route: the screens an INIT may open. */
    public List<String> entryScreens() {
        return entryScreens;
    }

    /**
     * Whether answering a request from {@code from} with {@code to} is allowed: a route of the routing
     * model, the same screen (a refresh), or {@code SUCCESS} from a terminal screen.
     */
    public boolean allows(String from, String to) {
        if (from == null || from.isEmpty()) {
            return entryScreens.contains(to);
        }
        if (SUCCESS.equals(to)) {
            Screen s = screens.get(from);
            return s != null && s.terminal();
        }
        return hasScreen(to) && (from.equals(to) || routesFrom(from).contains(to));
    }

    /** Whether {@code to} can be reached from {@code from} by following routes (client-side navigation). */
    public boolean reachable(String from, String to) {
        if (from == null || to == null) {
            return false;
        }
        Set<String> seen = new HashSet<>();
        List<String> frontier = new ArrayList<>(routesFrom(from));
        while (!frontier.isEmpty()) {
            String next = frontier.remove(frontier.size() - 1);
            if (next.equals(to)) {
                return true;
            }
            if (seen.add(next)) {
                frontier.addAll(routesFrom(next));
            }
        }
        return false;
    }

    /**
     * Parses and validates a Flow JSON.
     *
     * @throws FlowValidationException listing every problem found, each prefixed with where it is
     */
    public static FlowDefinition parse(String flowId, JsonNode json) {
        List<String> problems = new ArrayList<>();
        if (json == null || !json.isObject()) {
            throw new FlowValidationException(List.of("the Flow JSON must be an object"));
        }
        JsonNode version = json.get("version");
        if (version == null || !version.isTextual() || version.asText().isBlank()) {
            problems.add("version: required, a string such as \"7.3\"");
        }
        JsonNode apiVersion = json.get("data_api_version");
        String dataApiVersion = apiVersion != null && apiVersion.isTextual() ? apiVersion.asText() : null;
        if (dataApiVersion == null || !DATA_API_VERSIONS.contains(dataApiVersion)) {
            problems.add("data_api_version: required for a Flow with an endpoint, one of " + sorted(DATA_API_VERSIONS));
        }

        Map<String, Screen> screens = parseScreens(json.get("screens"), problems);
        Map<String, List<String>> routes = parseRoutes(json.get("routing_model"), screens, problems);
        List<String> entries = new ArrayList<>();
        if (!screens.isEmpty() && routes != null) {
            checkGraph(screens, routes, problems);
            Set<String> inbound = new HashSet<>();
            routes.values().forEach(inbound::addAll);
            screens.keySet().stream().filter(s -> !inbound.contains(s)).forEach(entries::add);
            if (entries.isEmpty()) {
                problems.add("routing_model: no entry screen (every screen has an inbound route)");
            }
        }
        if (!problems.isEmpty()) {
            throw new FlowValidationException(problems);
        }
        return new FlowDefinition(flowId, json, dataApiVersion, screens, routes, entries);
    }

    private static Map<String, Screen> parseScreens(JsonNode node, List<String> problems) {
        Map<String, Screen> screens = new LinkedHashMap<>();
        if (node == null || !node.isArray() || node.isEmpty()) {
            problems.add("screens: required, a non-empty array");
            return screens;
        }
        if (node.size() > MAX_SCREENS) {
            problems.add("screens: at most " + MAX_SCREENS + " screens, found " + node.size());
            return screens;
        }
        boolean anySuccess = false;
        for (int i = 0; i < node.size(); i++) {
            JsonNode s = node.get(i);
            String where = "screens[" + i + "]";
            if (!s.isObject()) {
                problems.add(where + ": must be an object");
                continue;
            }
            JsonNode idNode = s.get("id");
            String id = idNode != null && idNode.isTextual() ? idNode.asText() : null;
            if (id == null || !SCREEN_ID.matcher(id).matches()) {
                problems.add(where + ".id: required, letters and underscores only");
                continue;
            }
            where = "screens[" + i + "] (" + id + ")";
            if (SUCCESS.equals(id)) {
                problems.add(where + ".id: SUCCESS is reserved");
                continue;
            }
            if (screens.containsKey(id)) {
                problems.add(where + ".id: duplicate screen id");
                continue;
            }
            JsonNode layout = s.get("layout");
            if (layout == null || !layout.isObject()) {
                problems.add(where + ".layout: required, an object");
            }
            boolean terminal = s.path("terminal").asBoolean(false);
            if (s.has("terminal") && !s.get("terminal").isBoolean()) {
                problems.add(where + ".terminal: must be true or false");
            }
            boolean success = s.path("success").asBoolean(true);
            if (s.has("success") && !terminal) {
                problems.add(where + ".success: only terminal screens may set success");
            }
            anySuccess |= terminal && success;
            Map<String, JsonNode> data = parseData(s.get("data"), where, problems);
            screens.put(id, new Screen(id, terminal, success, s.path("refresh_on_back").asBoolean(false), data));
        }
        if (!screens.isEmpty() && !anySuccess) {
            problems.add("screens: at least one terminal screen with success true is required");
        }
        return screens;
    }

    private static Map<String, JsonNode> parseData(JsonNode data, String where, List<String> problems) {
        Map<String, JsonNode> declared = new LinkedHashMap<>();
        if (data == null) {
            return declared;
        }
        if (!data.isObject()) {
            problems.add(where + ".data: must be an object of field declarations");
            return declared;
        }
        data.fields().forEachRemaining(field -> {
            JsonNode schema = field.getValue();
            String type = schema.path("type").asText(null);
            if (!schema.isObject() || type == null || !DATA_TYPES.contains(type)) {
                problems.add(where + ".data." + field.getKey() + ": needs a \"type\", one of " + sorted(DATA_TYPES));
            } else if (!schema.has("__example__")) {
                problems.add(where + ".data." + field.getKey() + ": needs an \"__example__\"");
            }
            declared.put(field.getKey(), schema);
        });
        return declared;
    }

    private static Map<String, List<String>> parseRoutes(JsonNode model, Map<String, Screen> screens, List<String> problems) {
        if (model == null || !model.isObject()) {
            problems.add("routing_model: required for a Flow with an endpoint, an object of screen id to next screen ids");
            return null;
        }
        Map<String, List<String>> routes = new LinkedHashMap<>();
        model.fields().forEachRemaining(entry -> {
            String from = entry.getKey();
            String where = "routing_model." + from;
            if (!screens.containsKey(from)) {
                problems.add(where + ": no screen with this id");
                return;
            }
            if (!entry.getValue().isArray()) {
                problems.add(where + ": must be an array of screen ids");
                return;
            }
            List<String> targets = new ArrayList<>();
            for (JsonNode t : entry.getValue()) {
                String to = t.asText();
                if (!t.isTextual() || !screens.containsKey(to)) {
                    problems.add(where + ": routes to " + t + ", which is not a screen of this Flow");
                } else if (to.equals(from)) {
                    problems.add(where + ": routes to itself");
                } else if (targets.contains(to)) {
                    problems.add(where + ": lists " + to + " twice");
                } else {
                    targets.add(to);
                }
            }
            if (targets.size() > MAX_BRANCHES) {
                problems.add(where + ": " + targets.size() + " branches, at most " + MAX_BRANCHES + " are allowed");
            }
            routes.put(from, List.copyOf(targets));
        });
        return routes;
    }

    /** Only forward routes (no cycle), and every screen leads to a terminal screen. */
    private static void checkGraph(Map<String, Screen> screens, Map<String, List<String>> routes, List<String> problems) {
        Map<String, Integer> state = new HashMap<>(); // 1: on the current path, 2: done
        for (String start : screens.keySet()) {
            List<String> cycle = findCycle(start, routes, state, new ArrayList<>());
            if (cycle != null) {
                problems.add("routing_model: routes go backwards (" + String.join(" -> ", cycle)
                        + "); only forward routes are allowed");
                return;
            }
        }
        for (Screen s : screens.values()) {
            if (!s.terminal() && routes.getOrDefault(s.id(), List.of()).isEmpty()) {
                problems.add("routing_model." + s.id() + ": a screen that is not terminal needs at least one route onward");
            }
        }
    }

    private static List<String> findCycle(String node, Map<String, List<String>> routes, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(node);
        if (s != null && s == 2) {
            return null;
        }
        if (s != null) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
            cycle.add(node);
            return cycle;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : routes.getOrDefault(node, List.of())) {
            List<String> cycle = findCycle(next, routes, state, path);
            if (cycle != null) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return null;
    }

    private static String sorted(Set<String> values) {
        return values.stream().sorted().toList().toString();
    }
}
