package io.flowgate.routing.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The one rule for characters in text Flowgate is given. PostgreSQL stores no U+0000 in {@code text} or
 * {@code jsonb}, and a string with an unpaired UTF-16 surrogate has no UTF-8 form (the driver would
 * silently write '?'). Neither, nor any other C0 control character except tab, line feed and carriage
 * return, nor DEL, means anything in a name, an attribute, a rule or a Flow answer. So:
 * <ul>
 *   <li>admin input (bodies, path variables, query parameters) holding one is refused with a 400 naming
 *       the field ({@link #requireClean});</li>
 *   <li>Flow {@code data} holding one is answered with the screen again and an error message;</li>
 *   <li>text that arrives from WhatsApp users is kept, with U+0000 and unpaired surrogates replaced
 *       by U+FFFD ({@link #storable(String)}), since a user's message cannot be refused.</li>
 * </ul>
 * See docs/reliability.md, "Control characters and NUL".
 */
public final class ControlCharacters {

    private static final char REPLACEMENT = '\uFFFD';

    private ControlCharacters() {
    }

    /** Why {@code s} is refused ("U+0000 at character 3"), or null when it is acceptable. */
    public static String problem(String s) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return String.format("an unpaired surrogate U+%04X at character %d", (int) c, i);
            } else if (isRefusedControl(c)) {
                return String.format("the control character U+%04X at character %d", (int) c, i);
            }
        }
        return null;
    }

    /** True when {@code s} holds no refused character. */
    public static boolean isClean(String s) {
        return problem(s) == null;
    }

    /**
     * The first place in {@code json} (a field name or a string value) holding a refused character, as
     * {@code "path: problem"} with the path written from {@code root} ({@code "body.data.name"}), or null.
     */
    public static String findIn(JsonNode json, String root) {
        if (json == null) {
            return null;
        }
        if (json.isTextual()) {
            String p = problem(json.textValue());
            return p == null ? null : root + ": " + p;
        }
        if (json.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String path = root + "." + printable(field.getKey());
                String p = problem(field.getKey());
                if (p != null) {
                    return path + ": the field name holds " + p;
                }
                String inner = findIn(field.getValue(), path);
                if (inner != null) {
                    return inner;
                }
            }
        } else if (json.isArray()) {
            for (int i = 0; i < json.size(); i++) {
                String inner = findIn(json.get(i), root + "[" + i + "]");
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    /** Throws the admin API's 400 naming the field when {@code json} holds a refused character. */
    public static void requireClean(JsonNode json, String root) {
        String found = findIn(json, root);
        if (found != null) {
            throw ApiException.badRequest(found + " (control characters other than tab, line feed and carriage return, "
                    + "and unpaired surrogates, are not accepted)", List.of(found));
        }
    }

    /** Throws the admin API's 400 naming the parameter when {@code value} holds a refused character. */
    public static void requireClean(String value, String name) {
        requireClean(value == null ? null : TextNode.valueOf(value), name);
    }

    /** {@code s} in a form PostgreSQL stores: U+0000 and unpaired surrogates replaced with U+FFFD. */
    public static String storable(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            boolean bad = c == 0 || (!pair && Character.isSurrogate(c));
            if (bad && out == null) {
                out = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (out != null) {
                out.append(bad ? REPLACEMENT : c);
                if (pair) {
                    out.append(s.charAt(i + 1));
                }
            }
            if (pair) {
                i++;
            }
        }
        return out == null ? s : out.toString();
    }

    /** A copy of {@code json} with every field name and string made {@link #storable(String) storable}. */
    public static JsonNode storable(JsonNode json) {
        if (json == null) {
            return null;
        }
        if (json.isTextual()) {
            String s = storable(json.textValue());
            return s.equals(json.textValue()) ? json : TextNode.valueOf(s);
        }
        if (json.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            json.fields().forEachRemaining(f -> out.set(storable(f.getKey()), storable(f.getValue())));
            return out;
        }
        if (json.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            json.forEach(e -> out.add(storable(e)));
            return out;
        }
        return json;
    }

    private static boolean isRefusedControl(char c) {
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
    }

    /** A path segment fit for an error message: refused characters shown as escapes. */
    private static String printable(String key) {
        StringBuilder out = new StringBuilder(Math.min(key.length(), 80));
        for (int i = 0; i < key.length() && i < 80; i++) {
            char c = key.charAt(i);
            out.append(isRefusedControl(c) || Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return key.length() > 80 ? out.append('…').toString() : out.toString();
    }
}
