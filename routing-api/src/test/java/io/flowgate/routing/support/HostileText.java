package io.flowgate.routing.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Strings an attacker (or a broken client) sends, for property-based tests: any UTF-16 text, NUL and
 * the other control characters, lone surrogates, and very long strings; plus the JSON text to carry
 * them (every non-ASCII character escaped, so a lone surrogate arrives as {@code \ud800} and is not
 * turned into '?' by an encoder on the way).
 */
public final class HostileText {

    private static final JsonMapper ESCAPING = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private HostileText() {
    }

    public static Arbitrary<String> strings() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.strings().all().ofMaxLength(40)),
                net.jqwik.api.Tuple.of(4, Arbitraries.strings().withChars('\u0000', '\u0001', '\u001f', '\u007f', '\t', '\n',
                        '\ud800', '\udfff', 'a', 'é', '\uFFFD').ofMinLength(1).ofMaxLength(12)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().all().ofMinLength(20_000).ofMaxLength(70_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(20_000).ofMaxLength(70_000)
                        .map(s -> s + "\u0000")),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(30)));
    }

    /**
     * The test's own statement of the rule under test: Flowgate refuses C0 control characters other
     * than tab, line feed and carriage return, DEL, and UTF-16 surrogates that are not part of a pair.
     */
    public static boolean isRefused(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
                continue;
            }
            if (Character.isSurrogate(c) || c == 0x7F || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
                return true;
            }
        }
        return false;
    }

    /** The JSON text of {@code json}, ASCII only. */
    public static String asciiJson(JsonNode json) {
        try {
            return ESCAPING.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] asciiJsonBytes(JsonNode json) {
        return asciiJson(json).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Every place in {@code json} a string can go: each string value, and each field name, as a path
     * written the way the admin API names fields ({@code body.data.tags[0]}) with its JSON pointer.
     */
    public static List<Place> places(JsonNode json, String root) {
        List<Place> out = new ArrayList<>();
        collect(json, root, "", out);
        return out;
    }

    /** A string value ({@code fieldName} false) or the name of an object field ({@code fieldName} true). */
    public record Place(String path, String parentPath, String pointer, String name, boolean fieldName) {
    }

    private static void collect(JsonNode json, String path, String pointer, List<Place> out) {
        if (json.isTextual()) {
            out.add(new Place(path, null, pointer, null, false));
        } else if (json.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String childPath = path + "." + f.getKey();
                String childPointer = pointer + "/" + f.getKey().replace("~", "~0").replace("/", "~1");
                out.add(new Place(childPath, path, childPointer, f.getKey(), true));
                collect(f.getValue(), childPath, childPointer, out);
            }
        } else if (json.isArray()) {
            for (int i = 0; i < json.size(); i++) {
                collect(json.get(i), path + "[" + i + "]", pointer + "/" + i, out);
            }
        }
    }

    /** A copy of {@code json} with the string at {@code place} (its value, or its field name) replaced by {@code text}. */
    public static JsonNode replaced(JsonNode json, Place place, String text) {
        JsonNode copy = json.deepCopy();
        String parentPointer = place.pointer().substring(0, place.pointer().lastIndexOf('/'));
        JsonNode parent = parentPointer.isEmpty() ? copy : copy.at(parentPointer);
        String last = place.pointer().substring(place.pointer().lastIndexOf('/') + 1).replace("~1", "/").replace("~0", "~");
        if (place.fieldName()) {
            var object = (com.fasterxml.jackson.databind.node.ObjectNode) parent;
            // keep the field's position: rebuild the object in order with the new name
            var rebuilt = object.objectNode();
            object.fields().forEachRemaining(f -> rebuilt.set(f.getKey().equals(place.name()) ? text : f.getKey(), f.getValue()));
            object.removeAll();
            object.setAll(rebuilt);
        } else if (parent.isArray()) {
            ((com.fasterxml.jackson.databind.node.ArrayNode) parent).set(Integer.parseInt(last), text);
        } else {
            ((com.fasterxml.jackson.databind.node.ObjectNode) parent).put(last, text);
        }
        return copy;
    }
}
