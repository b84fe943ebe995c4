package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.UnsignedLong;
import org.junit.jupiter.api.Test;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CelValues#json}, a rule's computed value as JSON built directly (issue 12), is the very tree
 * {@code ObjectMapper.valueToTree} gave: same node types (a CEL int is a long node), same bytes when written.
 */
class CelValuesJsonTest {

    private final ObjectMapper mapper = Jackson2ObjectMapperBuilder.json().build();

    @Test
    void buildsTheTreeValueToTreeBuilt() throws Exception {
        Map<Object, Object> intKeys = new LinkedHashMap<>();
        intKeys.put(1L, "one");
        intKeys.put(2L, List.of(true, 2.5));
        Map<String, Object> slot = new LinkedHashMap<>();
        slot.put("id", "s1");
        slot.put("title", "Mon 7 Dec 09:00");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("slots", List.of(slot, slot));
        data.put("count", 3L);
        data.put("int", 3);
        data.put("price", 19.99);
        data.put("nan", Double.NaN);
        data.put("inf", Double.NEGATIVE_INFINITY);
        data.put("vip", true);
        data.put("text", "caf\u00e9 \ud83d\ude00 \"quoted\" \\ \n");
        data.put("nested", ImmutableMap.of("a", ImmutableList.of(1L, "b", ImmutableMap.of())));
        data.put("intKeys", intKeys);
        data.put("unsigned", UnsignedLong.valueOf(7));
        data.put("withNull", Arrays.asList("a", null));
        for (Object value : List.of(data, "plain", 5L, 2.0, false, List.of(), Map.of(), intKeys, UnsignedLong.MAX_VALUE)) {
            JsonNode expected = mapper.valueToTree(value);
            JsonNode built = CelValues.json(mapper, value);
            assertThat(built).as(String.valueOf(value)).isEqualTo(expected);
            assertThat(mapper.writeValueAsString(built)).isEqualTo(mapper.writeValueAsString(expected));
        }
        assertThat(CelValues.json(mapper, null)).isEqualTo(mapper.valueToTree(null));
    }
}
