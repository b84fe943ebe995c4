package io.flowgate.routing.chat.machine;

import io.flowgate.routing.chat.Input;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.events.InboundUpdate;
import io.flowgate.routing.chat.machine.ChatMachine.Answer;
import io.flowgate.routing.chat.machine.ChatMachine.AnswerType;
import io.flowgate.routing.chat.machine.ChatMachine.Option;
import io.flowgate.routing.chat.machine.ChatMachine.Question;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How typed and tapped answers are read. */
class AnswersTest {

    private static final Question PLAIN = new Question("?", List.of(), null, List.of());
    private static final Question PICK = new Question("?", List.of(new Option("this_month", "This month"), new Option("later", "Later")),
            null, List.of());

    @Test
    void numbersAreReadTheWayPeopleTypeThem() {
        assertThat(Answers.parseNumber("7500")).isEqualByComparingTo("7500");
        assertThat(Answers.parseNumber(" $7,500 ")).isEqualByComparingTo("7500");
        assertThat(Answers.parseNumber("USD 10 000")).isEqualByComparingTo("10000");
        assertThat(Answers.parseNumber("7.5k")).isEqualByComparingTo("7500");
        assertThat(Answers.parseNumber("2 M")).isEqualByComparingTo("2000000");
        assertThat(Answers.parseNumber("1,000,000")).isEqualByComparingTo("1000000");
        assertThat(Answers.parseNumber("7,5")).as("ambiguous").isNull();
        assertThat(Answers.parseNumber("about 5000")).isNull();
        assertThat(Answers.parseNumber("👍")).isNull();
        assertThat(Answers.parseNumber("")).isNull();
    }

    @Test
    void aNumberOutsideItsBoundsIsNoAnswer() {
        Answer budget = new Answer(AnswerType.NUMBER, BigDecimal.ZERO, BigDecimal.valueOf(1000), 0);
        assertThat(Answers.accept(budget, PLAIN, text("999"))).isEqualTo(999L);
        assertThat(Answers.accept(budget, PLAIN, text("999.5"))).isEqualTo(999.5);
        assertThat(Answers.accept(budget, PLAIN, text("1001"))).isNull();
        assertThat(Answers.accept(budget, PLAIN, text("-1"))).isNull();
    }

    @Test
    void anEmojiIsNoNameAndALongTextIsRefused() {
        Answer name = new Answer(AnswerType.TEXT, null, null, 10);
        assertThat(Answers.accept(name, PLAIN, text("  Ana  "))).isEqualTo("Ana");
        assertThat(Answers.accept(name, PLAIN, text("🙂🙂"))).isNull();
        assertThat(Answers.accept(name, PLAIN, text("Maximiliano Z"))).isNull();
        assertThat(Answers.accept(name, PLAIN, voiceNote())).isNull();
    }

    @Test
    void choicesAreTappedOrTyped() {
        Answer choice = new Answer(AnswerType.CHOICE, null, null, 0);
        assertThat(Answers.accept(choice, PICK, text("this month"))).isEqualTo("this_month");
        assertThat(Answers.accept(choice, PICK, text("LATER"))).isEqualTo("later");
        assertThat(Answers.accept(choice, PICK, text("tomorrow"))).isNull();
        assertThat(Answers.accept(choice, PICK, voiceNote())).isNull();
    }

    @Test
    void emailsAreChecked() {
        Answer email = new Answer(AnswerType.EMAIL, null, null, 0);
        assertThat(Answers.accept(email, PLAIN, text("ana@example.com"))).isEqualTo("ana@example.com");
        assertThat(Answers.accept(email, PLAIN, text("ana at example"))).isNull();
    }

    @Test
    void anythingIsAcceptedWhereAnyIsAsked() {
        Answer any = new Answer(AnswerType.ANY, null, null, 0);
        assertThat(Answers.accept(any, PLAIN, voiceNote())).isEqualTo("[audio]");
    }

    private static Input text(String body) {
        ObjectNode p = JsonNodeFactory.instance.objectNode().put("type", "text");
        p.putObject("text").put("body", body);
        return Input.of(update("text", p));
    }

    private static Input voiceNote() {
        ObjectNode p = JsonNodeFactory.instance.objectNode().put("type", "audio");
        p.putObject("audio").put("id", "m1");
        return Input.of(update("audio", p));
    }

    private static InboundUpdate update(String type, ObjectNode payload) {
        return new InboundUpdate("wamid.1", Instant.now(), InboundUpdate.KIND_MESSAGE, type, "1555", "1555", "wamid.1",
                "p", "w", Instant.now(), null, payload);
    }
}
