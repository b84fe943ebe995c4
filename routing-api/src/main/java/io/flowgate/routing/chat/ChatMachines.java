package io.flowgate.routing.chat;

import io.flowgate.routing.chat.machine.ChatMachine;
import io.flowgate.routing.chat.machine.MachineParser;
import io.flowgate.routing.chat.machine.MachineValidationException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.flowgate.routing.experiments.Experiment;
import io.flowgate.routing.experiments.ExperimentChanges;
import io.flowgate.routing.experiments.ExperimentRepository;
import io.flowgate.routing.system.ChangeListener;
import io.flowgate.routing.system.JsonColumns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The chat machines: stored in {@code chat_machines}, compiled once and cached. Every instance drops a
 * cached machine the moment it changes (PostgreSQL NOTIFY through {@link ChangeListener}), so an upload
 * takes effect for the next message on every instance, and no message waits on parsing and compiling CEL.
 *
 * <p>A machine and its live (running or paused) experiment, with each treatment compiled into a whole
 * machine (the machine's definition with the treatment's states, {@link MachineParser#withStates}), are one
 * cache entry whose definition and live status come from one SQL statement: a promotion is seen whole or
 * not at all (docs/experiments.md, "Experiments on chat machines").
 */
@Service
public class ChatMachines {

    private static final Logger log = LoggerFactory.getLogger(ChatMachines.class);

    private final JdbcClient jdbc;
    private final ObjectMapper mapper;
    private final ExperimentRepository experiments;
    private final LoadingCache<String, Optional<Current>> cache;
    /** Which machine's entry holds which experiment: what a variant or stop change drops. */
    private final ExperimentChanges experimentMachines;

    /**
     * A machine as cached: its definition, its live experiment (or null) and that one's treatments (not
     * stopped by a guardrail), compiled; one snapshot, so what one message sees is consistent.
     */
    record Current(ChatMachine machine, Experiment live, Map<String, ChatMachine> treatments) {

        /**
         * The machine a lead in {@code variant} of {@code experimentId} gets (both null: in no experiment): the
         * treatment's if the experiment is still live and the variant not stopped by a guardrail, else the
         * machine as defined.
         */
        ChatMachine machineFor(String experimentId, String variant) {
            return live != null && live.experimentId().equals(experimentId) ? treatments.getOrDefault(variant, machine) : machine;
        }
    }

    ChatMachines(JdbcClient jdbc, ObjectMapper mapper, ChangeListener changes, ExperimentRepository experiments) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.experiments = experiments;
        this.cache = Caffeine.newBuilder()
                .maximumSize(1_000)
                .expireAfterWrite(Duration.ofMinutes(5))
                .build(this::load);
        // experiments: a machine's experiment is announced with the machine id too (V22)
        this.experimentMachines = ExperimentChanges.subscribe(changes, Set.of("chat_machines", "experiments"),
                cache::invalidate, cache::invalidateAll);
    }

    /** The machine as defined (what a lead in no experiment, or in the control, gets). */
    public Optional<ChatMachine> find(String machineId) {
        return current(machineId).map(Current::machine);
    }

    /** The machine with its live experiment and treatments, as cached. */
    Optional<Current> current(String machineId) {
        return machineId == null ? Optional.empty() : cache.get(machineId);
    }

    /**
     * The machine {@code definition} with a treatment's {@code states}, validated.
     *
     * @throws MachineValidationException listing every problem
     */
    public static ChatMachine withStates(String machineId, JsonNode definition, JsonNode states) {
        return MachineParser.parse(machineId, MachineParser.withStates(definition, states));
    }

    /** What would no longer fit in the live experiment's treatments if the machine became {@code definition}. */
    List<String> liveExperimentProblems(String machineId, JsonNode definition) {
        List<String> problems = new ArrayList<>();
        experiments.liveOnMachine(machineId).ifPresent(live -> live.variants().forEach(v -> {
            try {
                withStates(machineId, definition, v.states());
            } catch (MachineValidationException e) {
                e.problems().forEach(p -> problems.add("experiment " + live.experimentId() + " variant " + v.name() + ": " + p));
            }
        }));
        return problems;
    }

    /**
     * Makes {@code definition} (validated by the caller) the machine's, as a new revision, in the caller's
     * transaction; every instance drops its cached machine when it commits.
     */
    public void replaceDefinition(String machineId, JsonNode definition) {
        jdbc.sql("UPDATE chat_machines SET definition = CAST(:json AS json), revision = revision + 1, updated_at = now() WHERE machine_id = :id")
                .param("id", machineId).param("json", JsonColumns.text(mapper, definition)).update();
    }

    /** The machine's stored definition, its row locked until the caller's transaction ends. */
    public Optional<JsonNode> lockDefinition(String machineId) {
        return jdbc.sql("SELECT definition::text FROM chat_machines WHERE machine_id = :id FOR UPDATE")
                .param("id", machineId).query(String.class).optional().map(json -> JsonColumns.tree(mapper, json));
    }

    /** Drops the cached machine on this instance (the others hear of it through the change listener). */
    public void forget(String machineId) {
        cache.invalidate(machineId);
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
        cache.invalidate(machineId);
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

    private record Stored(String definition, String liveExperimentId, String liveStatus) {
    }

    private Optional<Current> load(String machineId) {
        // the definition and whether an experiment is live come from one statement, so one snapshot, even
        // inside a message's transaction: a promotion is seen whole or not at all. A live experiment's
        // variants never change; its guardrail stops are read after, and each one drops this entry again.
        Optional<Stored> stored = jdbc.sql("""
                        SELECT m.definition::text, e.experiment_id, e.status
                        FROM chat_machines m
                        LEFT JOIN experiments e ON e.machine_id = m.machine_id AND e.status IN ('running', 'paused')
                        WHERE m.machine_id = :id""")
                .param("id", machineId).query((rs, n) -> new Stored(rs.getString(1), rs.getString(2), rs.getString(3))).optional();
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        try {
            ChatMachine machine = MachineParser.parse(machineId, JsonColumns.tree(mapper, stored.get().definition()));
            Experiment live = stored.get().liveExperimentId() == null ? null
                    : experiments.find(stored.get().liveExperimentId()).map(e -> e.withStatus(stored.get().liveStatus())).orElse(null);
            Map<String, ChatMachine> treatments = new HashMap<>();
            if (live != null) {
                experimentMachines.remember(live.experimentId(), machineId);
                for (Experiment.Variant v : live.variants()) {
                    if (!v.control() && !live.stopped().contains(v.name())) {
                        treatment(machine, live, v).ifPresent(t -> treatments.put(v.name(), t));
                    }
                }
            }
            return Optional.of(new Current(machine, live, Map.copyOf(treatments)));
        } catch (MachineValidationException e) {
            // stored under an older, more lenient version: upload it again to see what to fix
            log.error("chat machine {} as stored is no longer valid ({}); its users are not answered until it is uploaded again",
                    machineId, e.problems());
            return Optional.empty();
        }
    }

    private static Optional<ChatMachine> treatment(ChatMachine machine, Experiment live, Experiment.Variant v) {
        try {
            return Optional.of(withStates(machine.id(), machine.definition(), v.states()));
        } catch (MachineValidationException e) {
            // start and every upload check this; only an older, more lenient parser's leftovers get here
            log.error("experiment {} variant {} no longer fits chat machine {} ({}); its leads get the machine as defined",
                    live.experimentId(), v.name(), machine.id(), e.problems());
            return Optional.empty();
        }
    }
}
