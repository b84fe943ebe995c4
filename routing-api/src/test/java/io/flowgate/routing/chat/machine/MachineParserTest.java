package io.flowgate.routing.chat.machine;

import io.flowgate.routing.examples.LeadQualificationExample;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a machine definition must satisfy before a single user sees it. */
class MachineParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> problems(String json) {
        try {
            MachineParser.parse("m", JSON.readTree(json));
        } catch (MachineValidationException e) {
            return e.problems();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void theShippedExampleIsValid() {
        ChatMachine example = MachineParser.parse("lead_qualification", LeadQualificationExample.definition(JSON));
        assertThat(example.states().keySet()).containsExactly("ASK_NAME", "ASK_BUDGET", "ASK_INDUSTRY", "ASK_TIMELINE",
                "QUALIFIED", "NURTURE");
        assertThat(example.analyticsFields()).containsExactly("budget", "industry", "timeline");
    }

    @Test
    void freeTextNeverGoesToAnalytics() {
        assertThat(problems("""
                {"start": "A", "analytics_fields": ["name"], "states": {
                  "A": {"question": {"text": "Name?"}, "answer": {"type": "text"}, "store": "name", "next": "E"},
                  "E": {"end": true}}}"""))
                .containsExactly("analytics_fields: name is free text (personal data); only numbers and choices may go to analytics");
    }

    @Test
    void placeholdersMustNameStoredFields() {
        assertThat(problems("""
                {"start": "A", "states": {
                  "A": {"question": {"text": "Hi {{nmae}}"}, "answer": {"type": "text"}, "store": "name", "next": "E"},
                  "E": {"end": true}}}"""))
                .containsExactly("states.A.question.text: {{nmae}} names a field no state stores");
    }

    @Test
    void humanIsReservedAndAMachineMustBeAbleToComplete() {
        assertThat(problems("""
                {"start": "A", "states": {
                  "A": {"question": {"text": "?"}, "answer": {"type": "any"}, "store": "x", "next": "HUMAN"},
                  "HUMAN": {"end": true}}}"""))
                .anyMatch(p -> p.startsWith("states.HUMAN: HUMAN is reserved"))
                .contains("states: at least one end state (\"end\": true) is needed, or no lead can ever complete");
    }

    @Test
    void scoredChoicesMustBeOffered() {
        assertThat(problems("""
                {"start": "A", "states": {
                  "A": {"question": {"text": "?", "buttons": {"y": "Yes"}}, "answer": {"type": "choice"}, "store": "x",
                        "score": {"y": 5, "n": 1}, "next": "E"},
                  "E": {"end": true}}}"""))
                .containsExactly("states.A.score.n: the question offers no such choice (it offers [y])");
    }

    @Test
    void tooManyStatesAreRefused() {
        StringBuilder states = new StringBuilder();
        for (int i = 0; i <= MachineParser.MAX_STATES; i++) {
            states.append(i == 0 ? "" : ",").append("\"S").append(i).append("\": {\"end\": true}");
        }
        assertThat(problems("{\"start\": \"S0\", \"states\": {" + states + "}}"))
                .containsExactly("states: at most 50 (there are 51)");
    }

    @Test
    void aDefinitionThatIsNotAnObjectIsRefused() {
        assertThatThrownBy(() -> MachineParser.parse("m", JSON.readTree("[1]")))
                .isInstanceOf(MachineValidationException.class);
    }
}
