package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between JSON and the plain Java values CEL evaluates over: objects become maps, arrays
 * lists, whole numbers {@code Long} (CEL int), other numbers {@code Double}; JSON null is dropped,
 * since WhatsApp accepts no nulls in screen data.
 */
public final class CelValues {

    private CelValues() {
    }

    public static Map<String, Object> map(JsonNode node) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                Object v = value(f.getValue());
                if (v != null) {
                    out.put(f.getKey(), v);
                }
            }
        }
        return out;
    }

    public static Object value(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            return map(node);
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode n : node) {
                Object v = value(n);
                if (v != null) {
                    list.add(v);
                }
            }
            return list;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }

    /**
     * A value a rule computed, as JSON: exactly the tree {@code mapper.valueToTree(value)} gives (a null node for null),
     * built directly for the types CEL and the routing tables produce (strings, booleans, whole and other
     * numbers, lists, maps with text keys), without serialising the value and parsing it back (issue 12: the
     * Flow endpoint's hot path); anything else goes through {@code valueToTree}.
     */
    public static JsonNode json(ObjectMapper mapper, Object value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value == null) {
            return nodes.nullNode();
        }
        if (value instanceof String s) {
            return nodes.textNode(s);
        }
        if (value instanceof Boolean b) {
            return nodes.booleanNode(b);
        }
        if (value instanceof Long l) {
            return nodes.numberNode(l.longValue());
        }
        if (value instanceof Integer i) {
            return nodes.numberNode(i.intValue());
        }
        if (value instanceof Double d) {
            return nodes.numberNode(d.doubleValue());
        }
        if (value instanceof List<?> list) {
            ArrayNode array = nodes.arrayNode(list.size());
            for (Object element : list) {
                array.add(json(mapper, element));
            }
            return array;
        }
        if (value instanceof Map<?, ?> map && map.keySet().stream().allMatch(k -> k instanceof String)) {
            ObjectNode object = nodes.objectNode();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                object.set((String) e.getKey(), json(mapper, e.getValue()));
            }
            return object;
        }
        return mapper.valueToTree(value);
    }

    /** A JDBC value as CEL sees it: integers as Long, decimals as Double. */
    static Object fromJdbc(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Short s) {
            return s.longValue();
        }
        if (value instanceof BigDecimal d) {
            return d.doubleValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant().toString();
        }
        return value;
    }
}
