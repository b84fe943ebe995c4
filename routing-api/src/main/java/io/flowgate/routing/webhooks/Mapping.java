package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A mapping template: reshapes the default body for a target (a CRM's field names). It is a JSON object
 * whose members are the target's fields; each value is
 * <ul>
 *   <li>a JSON Pointer into the default body ({@code "/lead/score"}, {@code "/lead/answers/budget"}): a value
 *       the event does not have leaves the field out;</li>
 *   <li>{@code {"const": value}}: that value;</li>
 *   <li>an object of the same kind: a nested object.</li>
 * </ul>
 * Checked when saved: every pointer must name a member of the documented body ({@link Payloads#MEMBERS}).
 */
final class Mapping {

    static final int MAX_FIELDS = 200;
    static final int MAX_DEPTH = 5;
    static final int MAX_NAME = 100;

    private Mapping() {
    }

    /** Every problem of {@code mapping}, each naming where it is (empty: valid). */
    static List<String> problems(JsonNode mapping) {
        List<String> problems = new ArrayList<>();
        if (mapping == null || !mapping.isObject() || mapping.isEmpty()) {
            problems.add("mapping: a non-empty JSON object of target field -> JSON Pointer, {\"const\": value} or nested object");
            return problems;
        }
        int[] fields = {0};
        check(mapping, "mapping", 1, fields, problems);
        if (fields[0] > MAX_FIELDS) {
            problems.add("mapping: at most " + MAX_FIELDS + " fields");
        }
        return problems;
    }

    private static void check(JsonNode object, String where, int depth, int[] fields, List<String> problems) {
        if (depth > MAX_DEPTH) {
            problems.add(where + ": nested deeper than " + MAX_DEPTH + " levels");
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = where + "." + e.getKey();
            fields[0]++;
            if (e.getKey().isEmpty() || e.getKey().length() > MAX_NAME) {
                problems.add(at + ": field names are 1 to " + MAX_NAME + " characters");
            }
            JsonNode v = e.getValue();
            if (v.isTextual()) {
                String problem = pointerProblem(v.asText());
                if (problem != null) {
                    problems.add(at + ": " + problem);
                }
            } else if (isConst(v)) {
                // any JSON value
            } else if (v.isObject() && !v.isEmpty()) {
                check(v, at, depth + 1, fields, problems);
            } else {
                problems.add(at + ": a JSON Pointer into the body (\"/lead/score\"), {\"const\": value} or a nested object");
            }
        }
    }

    private static boolean isConst(JsonNode v) {
        return v.isObject() && v.size() == 1 && v.has("const");
    }

    private static String pointerProblem(String pointer) {
        JsonPointer p;
        try {
            p = JsonPointer.compile(pointer);
        } catch (IllegalArgumentException e) {
            return "not a JSON Pointer (it starts with /)";
        }
        if (p.matches()) {
            return "the whole body cannot be a field; name a member such as /lead/score";
        }
        String top = p.getMatchingProperty();
        if (!Payloads.MEMBERS.containsKey(top)) {
            return "the body has no member " + top + " (members: " + Payloads.MEMBERS.keySet().stream().sorted().toList() + ")";
        }
        JsonPointer rest = p.tail();
        if (rest.matches()) {
            return null;
        }
        String second = rest.getMatchingProperty();
        if (!Payloads.MEMBERS.get(top).contains(second)) {
            return Payloads.MEMBERS.get(top).isEmpty() ? top + " has no members"
                    : top + " has no member " + second + " (members: " + Payloads.MEMBERS.get(top).stream().sorted().toList() + ")";
        }
        if (!rest.tail().matches() && !"answers".equals(second)) {
            return "/" + top + "/" + second + " has no members";
        }
        return null;
    }

    /** The target's body: {@code mapping} applied to the default {@code body}. */
    static ObjectNode apply(ObjectMapper json, JsonNode mapping, JsonNode body) {
        ObjectNode out = json.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = mapping.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isTextual()) {
                JsonNode found = body.at(v.asText());
                if (!found.isMissingNode() && !found.isNull()) {
                    out.set(e.getKey(), found.deepCopy());
                }
            } else if (isConst(v)) {
                out.set(e.getKey(), v.get("const").deepCopy());
            } else {
                out.set(e.getKey(), apply(json, v, body));
            }
        }
        return out;
    }
}
