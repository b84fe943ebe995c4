package io.flowgate.routing.flows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.flowgate.routing.system.ChangeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
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

    /** Validates and stores a Flow JSON; returns the new definition. */
    @Transactional
    public FlowDefinition save(String flowId, JsonNode json) {
        FlowDefinition flow = FlowDefinition.parse(flowId, json);
        String text;
        try {
            text = mapper.writeValueAsString(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        jdbc.sql("""
                        INSERT INTO flows (flow_id, flow_json, entry_screen) VALUES (:id, CAST(:json AS jsonb), :entry)
                        ON CONFLICT (flow_id) DO UPDATE SET flow_json = EXCLUDED.flow_json, entry_screen = EXCLUDED.entry_screen,
                            revision = flows.revision + 1, updated_at = now()""")
                .param("id", flowId).param("json", text).param("entry", flow.entryScreen())
                .update();
        cache.put(flowId, Optional.of(flow));
        log.info("flow {} saved: {} screens, entry {}", flowId, flow.screens().size(), flow.entryScreen());
        return flow;
    }

    public int revision(String flowId) {
        return jdbc.sql("SELECT revision FROM flows WHERE flow_id = :id").param("id", flowId)
                .query(Integer.class).optional().orElse(0);
    }

    public List<String> ids() {
        return jdbc.sql("SELECT flow_id FROM flows ORDER BY flow_id").query(String.class).list();
    }

    private Optional<FlowDefinition> load(String flowId) {
        return jdbc.sql("SELECT flow_json::text FROM flows WHERE flow_id = :id").param("id", flowId)
                .query(String.class).optional()
                .map(text -> {
                    try {
                        return FlowDefinition.parse(flowId, mapper.readTree(text));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }
}
