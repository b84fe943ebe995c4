package io.flowgate.routing.flows;

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
import org.springframework.transaction.annotation.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The uploaded Flows: stored in PostgreSQL, read on the hot path through a cache that every instance drops
 * the moment a Flow changes (PostgreSQL NOTIFY, see {@link ChangeListener}), so an upload takes effect
 * everywhere without a restart and no request waits on the database for a Flow it has already seen.
 */
@Service
public class FlowRegistry {

    private static final Logger log = LoggerFactory.getLogger(FlowRegistry.class);

    private final JdbcClient jdbc;
    private final ObjectMapper mapper;
    private final LoadingCache<String, Optional<FlowDefinition>> cache;

    FlowRegistry(JdbcClient jdbc, ObjectMapper mapper, ChangeListener changes) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.cache = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(Duration.ofMinutes(5))
                .build(this::load);
        changes.subscribe(change -> {
            if (change.table().equals("flows")) {
                cache.invalidate(change.key());
            } else if (change.table().equals(ChangeListener.ALL)) {
                cache.invalidateAll();
            }
        });
    }

    /** The Flow, if one was uploaded under this id. */
    public Optional<FlowDefinition> find(String flowId) {
        return flowId == null ? Optional.empty() : cache.get(flowId);
    }

    /**
     * Validates and stores a Flow JSON as the Flow's next revision; the previous revisions stay readable in
     * {@code flow_versions} ({@link #versions}). Returns the new definition.
     */
    @Transactional
    public FlowDefinition save(String flowId, JsonNode json) {
        FlowDefinition flow = FlowDefinition.parse(flowId, json);
        String text = JsonColumns.text(mapper, json);
        int revision = jdbc.sql("""
                        INSERT INTO flows (flow_id, flow_json, entry_screen) VALUES (:id, CAST(:json AS jsonb), :entry)
                        ON CONFLICT (flow_id) DO UPDATE SET flow_json = EXCLUDED.flow_json, entry_screen = EXCLUDED.entry_screen,
                            revision = flows.revision + 1, updated_at = now()
                        RETURNING revision""")
                .param("id", flowId).param("json", text).param("entry", flow.entryScreen())
                .query(Integer.class).single();
        jdbc.sql("""
                        INSERT INTO flow_versions (flow_id, version, flow_json, entry_screen)
                        VALUES (:id, :version, CAST(:json AS jsonb), :entry)""")
                .param("id", flowId).param("version", revision).param("json", text).param("entry", flow.entryScreen())
                .update();
        cache.put(flowId, Optional.of(flow));
        log.info("flow {} saved as version {}: {} screens, entry {}", flowId, revision, flow.screens().size(),
                flow.entryScreen());
        return flow;
    }

    public int revision(String flowId) {
        return jdbc.sql("SELECT revision FROM flows WHERE flow_id = :id").param("id", flowId)
                .query(Integer.class).optional().orElse(0);
    }

    /** The kept versions of a Flow, oldest first; empty when there is no such Flow. */
    public List<FlowVersion> versions(String flowId) {
        return jdbc.sql("""
                        SELECT version, entry_screen, created_at FROM flow_versions WHERE flow_id = :id ORDER BY version""")
                .param("id", flowId)
                .query((rs, row) -> new FlowVersion(rs.getInt("version"), rs.getString("entry_screen"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    /** The Flow JSON of one kept version. */
    public Optional<JsonNode> versionJson(String flowId, int version) {
        return jdbc.sql("SELECT flow_json::text FROM flow_versions WHERE flow_id = :id AND version = :version")
                .param("id", flowId).param("version", version)
                .query(String.class).optional()
                .map(text -> JsonColumns.tree(mapper, text));
    }

    /** One kept version of a Flow: its number ({@code flows.revision} when it was uploaded) and upload time. */
    public record FlowVersion(int version, String entryScreen, Instant createdAt) {
    }

    public List<String> ids() {
        return jdbc.sql("SELECT flow_id FROM flows ORDER BY flow_id").query(String.class).list();
    }

    private Optional<FlowDefinition> load(String flowId) {
        return jdbc.sql("SELECT flow_json::text FROM flows WHERE flow_id = :id").param("id", flowId)
                .query(String.class).optional()
                .map(text -> FlowDefinition.parse(flowId, JsonColumns.tree(mapper, text)));
    }
}
