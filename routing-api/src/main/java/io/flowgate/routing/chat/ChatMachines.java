package io.flowgate.routing.chat;

import io.flowgate.routing.chat.machine.ChatMachine;
import io.flowgate.routing.chat.machine.MachineParser;
import io.flowgate.routing.chat.machine.MachineValidationException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.flowgate.routing.system.ChangeListener;
import io.flowgate.routing.system.JsonColumns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The chat machines: stored in {@code chat_machines}, compiled once and cached. Every instance drops a
 * cached machine the moment it changes (PostgreSQL NOTIFY through {@link ChangeListener}), so an upload
 * takes effect for the next message on every instance, and no message waits on parsing and compiling CEL.
 */
@Service
public class ChatMachines {

    private static final Logger log = LoggerFactory.getLogger(ChatMachines.class);

    private final JdbcClient jdbc;
    private final ObjectMapper mapper;
    private final LoadingCache<String, Optional<ChatMachine>> cache;

    ChatMachines(JdbcClient jdbc, ObjectMapper mapper, ChangeListener changes) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.cache = Caffeine.newBuilder()
                .maximumSize(1_000)
                .expireAfterWrite(Duration.ofMinutes(5))
                .build(this::load);
        changes.subscribe(change -> {
            if (change.table().equals("chat_machines")) {
                cache.invalidate(change.key());
            } else if (change.table().equals(ChangeListener.ALL)) {
                cache.invalidateAll();
            }
        });
    }

    Optional<ChatMachine> find(String machineId) {
        return machineId == null ? Optional.empty() : cache.get(machineId);
    }

    /**
     * Validates and stores a definition; returns whether it replaced one.
     *
     * @throws MachineValidationException listing every problem
     */
    boolean save(String machineId, JsonNode definition) {
        ChatMachine machine = MachineParser.parse(machineId, definition);
        boolean replaced = jdbc.sql("""
                        INSERT INTO chat_machines (machine_id, definition) VALUES (:id, CAST(:json AS json))
                        ON CONFLICT (machine_id) DO UPDATE SET definition = EXCLUDED.definition,
                            revision = chat_machines.revision + 1, updated_at = now()
                        RETURNING revision > 1""")
                .param("id", machineId).param("json", JsonColumns.text(mapper, definition)).query(Boolean.class).single();
        cache.put(machineId, Optional.of(machine));
        log.info("chat machine {} saved: {} states, start {}", machineId, machine.states().size(), machine.start());
        return replaced;
    }

    /**
     * Stores {@code definition} under {@code machineId} if no machine exists at all (a fresh installation);
     * returns whether it did. Safe when several instances start at once.
     */
    public boolean installIfNone(String machineId, JsonNode definition) {
        MachineParser.parse(machineId, definition);
        return jdbc.sql("""
                        INSERT INTO chat_machines (machine_id, definition)
                        SELECT :id, CAST(:json AS json) WHERE NOT EXISTS (SELECT 1 FROM chat_machines)
                        ON CONFLICT (machine_id) DO NOTHING""")
                .param("id", machineId).param("json", JsonColumns.text(mapper, definition)).update() == 1;
    }

    int revision(String machineId) {
        return jdbc.sql("SELECT revision FROM chat_machines WHERE machine_id = :id").param("id", machineId)
                .query(Integer.class).optional().orElse(0);
    }

    List<String> ids() {
        return jdbc.sql("SELECT machine_id FROM chat_machines ORDER BY machine_id").query(String.class).list();
    }

    private Optional<ChatMachine> load(String machineId) {
        Optional<String> json = jdbc.sql("SELECT definition::text FROM chat_machines WHERE machine_id = :id")
                .param("id", machineId).query(String.class).optional();
        if (json.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(MachineParser.parse(machineId, JsonColumns.tree(mapper, json.get())));
        } catch (MachineValidationException e) {
            // stored under an older, more lenient version: upload it again to see what to fix
            log.error("chat machine {} as stored is no longer valid ({}); its users are not answered until it is uploaded again",
                    machineId, e.problems());
            return Optional.empty();
        }
    }
}
