package io.flowgate.routing.system;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A JSON text PostgreSQL already rendered ({@code to_jsonb(row)::text}), written into an answer as it
 * is: the admin listings of table rows need no mapping layer in between.
 */
public record RawJson(@JsonRawValue @JsonValue String json) {
}
