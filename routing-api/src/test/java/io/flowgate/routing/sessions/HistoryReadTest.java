package io.flowgate.routing.sessions;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FlowSessionRepository#history}, the session row's {@code history} read as a tree (issue 12), gives exactly
 * the screens the record's data binding gave: for what the code writes, and for the odd shapes a row could hold.
 */
class HistoryReadTest {

    private final ObjectMapper mapper = Jackson2ObjectMapperBuilder.json().build();

    @Test
    void readsEveryHistoryAsTheDataBindingDid() throws Exception {
        for (String text : List.of(
                "[]",
                "[{\"screen\":\"WELCOME\",\"data\":{}}]",
                "[{\"screen\":\"WELCOME\",\"data\":{}},{\"screen\":\"SCHEDULE\",\"data\":{\"slots\":[{\"id\":\"s1\",\"title\":\"Mon 7 Dec 09:00\"}],"
                        + "\"n\":5,\"x\":1.5,\"big\":12345678901234567890,\"ok\":true,\"none\":null,\"t\":\"\\u00e9\\ud83d\\ude00\"}}]",
                "[{\"screen\":\"A\",\"data\":null},{\"screen\":\"B\"},{\"data\":{\"a\":1}},{\"screen\":null,\"data\":[]}]",
                "[{\"screen\":7,\"data\":\"text\"},{\"screen\":true,\"data\":2},{\"screen\":1.5,\"data\":{}},{\"extra\":1,\"screen\":\"C\"}]",
                "null")) {
            List<FlowSession.Screen> bound = mapper.readValue(text, new TypeReference<List<FlowSession.Screen>>() {
            });
            List<FlowSession.Screen> read = FlowSessionRepository.history(mapper, text);
            assertThat(read).as(text).isEqualTo(bound);
            if (read != null) {
                for (int i = 0; i < read.size(); i++) {
                    assertThat(mapper.writeValueAsString(read.get(i))).as(text).isEqualTo(mapper.writeValueAsString(bound.get(i)));
                }
            }
        }
        assertThat(FlowSessionRepository.history(mapper, null)).isNull();
    }
}
