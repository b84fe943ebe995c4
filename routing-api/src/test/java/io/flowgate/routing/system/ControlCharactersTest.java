package io.flowgate.routing.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one rule for characters: what is refused, how the field is named, how user text is mended. */
class ControlCharactersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void controlCharactersAndUnpairedSurrogatesAreRefusedButTabsNewlinesAndEmojiAreNot() {
        assertThat(ControlCharacters.problem("Ana\tLima\r\n🙂 é")).isNull();
        assertThat(ControlCharacters.problem("a\u0000")).isEqualTo("the control character U+0000 at character 1");
        assertThat(ControlCharacters.problem("\u001b[31m")).startsWith("the control character U+001B");
        assertThat(ControlCharacters.problem("del\u007f")).startsWith("the control character U+007F");
        assertThat(ControlCharacters.problem("x\uD800")).isEqualTo("an unpaired surrogate U+D800 at character 1");
        assertThat(ControlCharacters.problem("\uDC00x")).startsWith("an unpaired surrogate U+DC00");
    }

    @Test
    void theFirstRefusedPlaceIsNamedByItsPath() throws Exception {
        JsonNode body = JSON.readTree("{\"name\":\"ok\",\"attributes\":{\"tags\":[\"a\",\"b\\u0000\"]}}");
        assertThat(ControlCharacters.findIn(body, "body")).isEqualTo("body.attributes.tags[1]: the control character U+0000 at character 1");
        JsonNode key = JSON.readTree("{\"data\":{\"na\\u0001me\":1}}");
        assertThat(ControlCharacters.findIn(key, "body")).isEqualTo("body.data.na\\u0001me: the field name holds the control character U+0001 at character 2");
        assertThatThrownBy(() -> ControlCharacters.requireClean(body, "body"))
                .isInstanceOf(ApiException.class).hasMessageStartingWith("body.attributes.tags[1]: ");
    }

    @Test
    void userTextIsMendedNotRefused() throws Exception {
        assertThat(ControlCharacters.storable("Ana\u0000Lima\uD800")).isEqualTo("Ana\uFFFDLima\uFFFD");
        assertThat(ControlCharacters.storable("🙂\u0001")).as("pairs and other controls are kept").isEqualTo("🙂\u0001");
        JsonNode mended = ControlCharacters.storable(JSON.readTree("{\"k\\u0000\":[\"\\udc00\"]}"));
        assertThat(mended.toString()).isEqualTo("{\"k\uFFFD\":[\"\uFFFD\"]}");
    }
}
