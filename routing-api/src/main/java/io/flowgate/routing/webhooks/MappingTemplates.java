package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The mapping templates shipped with Flowgate ({@code webhooks/templates/<name>.json} in routing-api's
 * resources), which a subscription names with {@code mapping_template} instead of giving a {@code mapping}.
 */
final class MappingTemplates {

    static final List<String> NAMES = List.of("hubspot-contact", "salesforce-lead");

    private MappingTemplates() {
    }

    static Map<String, JsonNode> all(ObjectMapper json) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        NAMES.forEach(n -> out.put(n, find(json, n).orElseThrow()));
        return out;
    }

    static Optional<JsonNode> find(ObjectMapper json, String name) {
        if (!NAMES.contains(name)) {
            return Optional.empty();
        }
        try (InputStream in = MappingTemplates.class.getResourceAsStream("/webhooks/templates/" + name + ".json")) {
            return Optional.of(json.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
