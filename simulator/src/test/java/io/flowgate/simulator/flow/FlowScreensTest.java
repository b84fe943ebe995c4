package io.flowgate.simulator.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlowScreensTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static FlowScreens screens() throws Exception {
        return new FlowScreens(JSON.readTree("""
                {"version":"7.3","screens":[
                  {"id":"PICK","layout":{"type":"SingleColumnLayout","children":[{"type":"Form","name":"f","children":[
                    {"type":"Dropdown","name":"item_id","data-source":"${data.devices}"},
                    {"type":"RadioButtonsGroup","name":"size","data-source":[{"id":"s","title":"S"},{"id":"m","title":"M"}]},
                    {"type":"TextInput","name":"budget","input-type":"number"},
                    {"type":"Footer","label":"Go","on-click-action":{"name":"data_exchange","payload":{
                      "item_id":"${form.item_id}","size":"${form.size}","budget":"${form.budget}",
                      "campaign":"${data.campaign}","source":"flow","missing":"${data.nothing}"}}}]}]}},
                  {"id":"BACKABLE","refresh_on_back":true,"terminal":true,"layout":{"type":"SingleColumnLayout","children":[
                    {"type":"Footer","label":"Done","on-click-action":{"name":"complete","payload":{}}}]}}]}"""));
    }

    @Test
    void footerPayloadIsFilledFromTheFormAndTheShownData() throws Exception {
        JsonNode shown = JSON.readTree("{\"devices\":[{\"id\":\"iphone\",\"title\":\"iPhone\"}],\"campaign\":\"spring\"}");

        JsonNode payload = screens().submit("PICK", shown, Map.of("budget", "1200"), new SplittableRandom(1));

        assertThat(payload.path("item_id").asText()).isEqualTo("iphone");
        assertThat(payload.path("size").asText()).isIn("s", "m");
        assertThat(payload.path("budget").asText()).isEqualTo("1200");
        assertThat(payload.path("campaign").asText()).isEqualTo("spring");
        assertThat(payload.path("source").asText()).isEqualTo("flow");
        assertThat(payload.has("missing")).isFalse();
    }

    @Test
    void givenAnswersOutrankTheOptionsShown() throws Exception {
        JsonNode shown = JSON.readTree("{\"devices\":[{\"id\":\"iphone\",\"title\":\"iPhone\"}]}");

        JsonNode payload = screens().submit("PICK", shown, Map.of("item_id", "sold-out-part"), new SplittableRandom(1));

        assertThat(payload.path("item_id").asText()).isEqualTo("sold-out-part");
    }

    @Test
    void backGoesToTheEndpointOnlyFromScreensThatRefreshOnBack() throws Exception {
        assertThat(screens().refreshOnBack("BACKABLE")).isTrue();
        assertThat(screens().refreshOnBack("PICK")).isFalse();
        assertThat(screens().ids()).containsExactly("PICK", "BACKABLE");
    }

    @Test
    void aFooterThatDoesNotExchangeDataCannotBeSubmitted() throws Exception {
        assertThatThrownBy(() -> screens().submit("BACKABLE", null, Map.of(), new SplittableRandom(1)))
                .hasMessageContaining("BACKABLE");
    }
}
