package io.flowgate.routing.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.flowgate.routing.system.JsonColumns;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The table {@code meta_flows} (migration V15): which Flow at Meta each Flowgate Flow is, and what Meta has of it. */
@Repository
class MetaFlows {

    record Row(String flowId, String metaFlowId, Integer uploadedRevision, String metaStatus, ArrayNode validationErrors,
               String endpointUri, Instant updatedAt) {
    }

    private static final String COLUMNS = "flow_id, meta_flow_id, uploaded_revision, meta_status, validation_errors::text AS errors, "
            + "endpoint_uri, updated_at";

    private final JdbcClient jdbc;
    private final ObjectMapper mapper;

    MetaFlows(JdbcClient jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    Optional<Row> find(String flowId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM meta_flows WHERE flow_id = :id").param("id", flowId).query(this::row).optional();
    }

    List<Row> all() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM meta_flows ORDER BY flow_id").query(this::row).list();
    }

    void created(String flowId, String metaFlowId, String endpointUri) {
        jdbc.sql("INSERT INTO meta_flows (flow_id, meta_flow_id, meta_status, endpoint_uri) VALUES (:id, :meta, 'DRAFT', :uri)")
                .param("id", flowId).param("meta", metaFlowId).param("uri", endpointUri).update();
    }

    void uploaded(String flowId, int revision, ArrayNode validationErrors) {
        jdbc.sql("UPDATE meta_flows SET uploaded_revision = :rev, validation_errors = CAST(:errors AS jsonb), updated_at = now() "
                        + "WHERE flow_id = :id")
                .param("id", flowId).param("rev", revision).param("errors", validationErrors.toString()).update();
    }

    void status(String flowId, String status) {
        jdbc.sql("UPDATE meta_flows SET meta_status = :status, updated_at = now() WHERE flow_id = :id")
                .param("id", flowId).param("status", status).update();
    }

    void endpointUri(String flowId, String uri) {
        jdbc.sql("UPDATE meta_flows SET endpoint_uri = :uri, updated_at = now() WHERE flow_id = :id")
                .param("id", flowId).param("uri", uri).update();
    }

    /** What Meta said when asked; a field Meta left out keeps its value. */
    void refreshed(String flowId, String status, ArrayNode validationErrors, String endpointUri) {
        jdbc.sql("UPDATE meta_flows SET meta_status = coalesce(:status, meta_status), validation_errors = CAST(:errors AS jsonb), "
                        + "endpoint_uri = coalesce(:uri, endpoint_uri), updated_at = now() WHERE flow_id = :id")
                .param("id", flowId).param("status", status).param("errors", validationErrors.toString()).param("uri", endpointUri)
                .update();
    }

    private Row row(ResultSet rs, int n) throws SQLException {
        int revision = rs.getInt("uploaded_revision");
        Integer uploadedRevision = rs.wasNull() ? null : revision;
        JsonNode errors = JsonColumns.tree(mapper, rs.getString("errors"));
        return new Row(rs.getString("flow_id"), rs.getString("meta_flow_id"), uploadedRevision,
                rs.getString("meta_status"), errors instanceof ArrayNode array ? array : mapper.createArrayNode(),
                rs.getString("endpoint_uri"), rs.getTimestamp("updated_at").toInstant());
    }
}
