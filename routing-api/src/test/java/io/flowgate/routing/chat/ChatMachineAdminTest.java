package io.flowgate.routing.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.support.RoutingApiInstance;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin API of chat machines: the example is there from the start, and an invalid machine is refused whole. */
class ChatMachineAdminTest {

    private final RoutingApiInstance app = RoutingApiInstance.shared();

    @Test
    void theExampleIsInstalledAtStartAndReadable() {
        var list = app.admin("GET", "/api/chat-machines", null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("machines").toString()).contains("lead_qualification");
        JsonNode example = app.admin("GET", "/api/chat-machines/lead_qualification", null).json();
        assertThat(example.path("start").asText()).isEqualTo("ASK_NAME");
        assertThat(example.at("/states/ASK_INDUSTRY/question/list/options").fieldNames()).toIterable()
                .containsExactly("retail", "ecommerce", "real_estate", "automotive", "finance", "other");
    }

    @Test
    void aValidMachineIsStoredAndReplaced() {
        String machine = """
                {"start": "Q", "states": {
                  "Q": {"question": {"text": "Ready?", "buttons": {"yes": "Yes", "no": "No"}}, "answer": {"type": "choice"},
                        "store": "ready", "score": {"yes": 10}, "next": [{"when": "answer == 'yes'", "to": "DONE"}, {"to": "HUMAN"}]},
                  "DONE": {"end": true}}}""";
        var created = app.admin("PUT", "/api/chat-machines/admin_test_valid", machine);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.json().path("revision").asInt()).isEqualTo(1);
        assertThat(created.json().path("states").toString()).isEqualTo("[\"Q\",\"DONE\"]");
        var replaced = app.admin("PUT", "/api/chat-machines/admin_test_valid", machine);
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().path("revision").asInt()).isEqualTo(2);
        assertThat(app.admin("GET", "/api/chat-machines/admin_test_valid", null).json().path("start").asText()).isEqualTo("Q");
    }

    @Test
    void anInvalidMachineIsRefusedWithEveryProblemListed() {
        String machine = """
                {"start": "ASK", "colour": "blue", "states": {
                  "ASK": {"question": {"text": "Budget?"}, "answer": {"type": "number", "min": 10, "max": 1},
                          "store": "budget", "score": "answer +", "next": [{"when": "score > 'x'", "to": "NOWHERE"}]},
                  "ORPHAN": {"end": true},
                  "PICK": {"question": {"text": "Pick", "buttons": {"a": "A", "b": "B", "c": "C", "d": "D"}},
                           "answer": {"type": "choice"}, "store": "pick", "next": "ORPHAN"}}}""";
        var answer = app.admin("PUT", "/api/chat-machines/admin_test_invalid", machine);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("message").asText()).isEqualTo("the chat machine is not valid");
        String details = answer.json().path("details").toString();
        assertThat(details)
                .contains("colour: unknown field")
                .contains("states.ASK.answer: min is greater than max")
                .contains("states.ASK.score:")
                .contains("states.ASK.next[0].when:")
                .contains("the last transition must have no \\\"when\\\"")
                .contains("no state NOWHERE")
                .contains("states.PICK.question.buttons: an object of 1 to 3 options")
                .contains("states.ORPHAN: cannot be reached from ASK", "states.PICK: cannot be reached from ASK");
        assertThat(app.admin("GET", "/api/chat-machines/admin_test_invalid", null).status()).isEqualTo(404);
    }

    @Test
    void machineAdminNeedsTheToken() {
        assertThat(app.adminAs(null, "GET", "/api/chat-machines", null).status()).isEqualTo(401);
        assertThat(app.adminAs("wrong", "PUT", "/api/chat-machines/x", "{}").status()).isEqualTo(401);
    }
}
