package io.flowgate.routing.chat;

import io.flowgate.routing.chat.machine.ChatMachine;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What other packages may know about a lead's machine: which machine a user's lead follows, and which of
 * its fields are structured answers (numbers and choices) rather than free text the user typed. Anything a
 * machine does not declare as a number or a choice (free text, e-mail, "any", a Flow's merged params) counts
 * as free text.
 */
@Component
public class LeadFields {

    private static final Set<ChatMachine.AnswerType> STRUCTURED = Set.of(ChatMachine.AnswerType.NUMBER, ChatMachine.AnswerType.CHOICE);

    private final ChatMachines machines;
    private final JdbcClient jdbc;

    LeadFields(ChatMachines machines, JdbcClient jdbc) {
        this.machines = machines;
        this.jdbc = jdbc;
    }

    /** The machine of the user's lead, if the user has one. */
    public Optional<String> machineOf(String waId) {
        return jdbc.sql("SELECT machine_id FROM lead_qualifications WHERE wa_id = :wa").param("wa", waId)
                .query(String.class).optional();
    }

    /** The fields of {@code machineId} that only ever hold a number or a choice (empty for an unknown machine). */
    public Set<String> structuredFields(String machineId) {
        return machines.find(machineId).map(m -> m.states().values().stream()
                .filter(s -> s.store() != null && s.answer() != null && STRUCTURED.contains(s.answer().type()))
                .map(ChatMachine.State::store)
                // a field some other state fills with free text is free text
                .filter(f -> m.states().values().stream().noneMatch(s -> f.equals(s.store())
                        && (s.answer() == null || !STRUCTURED.contains(s.answer().type()))))
                .collect(Collectors.toUnmodifiableSet())).orElse(Set.of());
    }
}
