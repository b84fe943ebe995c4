package io.flowgate.routing.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;

/**
 * The repositories' {@code jsonb} columns: a value is bound as its JSON text ({@code CAST(:x AS jsonb)}) and
 * a column is read back as text ({@code column::text}, or the driver's text of it) and parsed here. Neither
 * can fail for the caller's input: what is written was built by the code, what is read was written by it,
 * so a failure is a bug or a damaged row and surfaces as an unchecked exception (a 500 with an incident id
 * on the admin API).
 */
public final class JsonColumns {

    private JsonColumns() {
    }

    /** The value as JSON text, for a {@code jsonb} parameter. */
    public static String text(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code jsonb} column's text as a tree; SQL NULL stays null. */
    public static JsonNode tree(ObjectMapper mapper, String text) {
        if (text == null) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code jsonb} column's text as the given type; SQL NULL stays null. */
    public static <T> T read(ObjectMapper mapper, String text, TypeReference<T> type) {
        if (text == null) {
            return null;
        }
        try {
            return mapper.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
