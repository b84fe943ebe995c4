package io.flowgate.routing.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A Flow session as stored in {@code flow_sessions}: who, which Flow, where the user is, what they
 * submitted, and the last transition's request fingerprint and answer (for double taps).
 *
 * @param history      screens answered so far, newest last; BACK returns to the one before the last
 * @param flowVersion  the Flow's revision when the session was created (its {@code flow_versions} row); null for
 *                     sessions created before versions were recorded
 * @param experimentId the routing experiment the session was assigned to when it started, or null
 * @param variant      its variant in that experiment; null exactly when {@code experimentId} is
 */
public record FlowSession(
        UUID sessionId,
        String waId,
        String flowId,
        String status,
        String currentScreen,
        List<Screen> history,
        ObjectNode userData,
        ObjectNode initialData,
        byte[] lastRequestHash,
        JsonNode lastResponse,
        int transitions,
        Instant createdAt,
        Instant updatedAt,
        Instant expiresAt,
        Instant handoverAt,
        Integer flowVersion,
        String experimentId,
        String variant) {

    public static final String ACTIVE = "active";
    public static final String COMPLETED = "completed";
    public static final String HANDOVER = "handover";

    /** A new session: the version it starts on is recorded when it is inserted ({@code FlowSessionRepository}). */
    public FlowSession(UUID sessionId, String waId, String flowId, String status, String currentScreen, List<Screen> history,
                       ObjectNode userData, ObjectNode initialData, byte[] lastRequestHash, JsonNode lastResponse,
                       int transitions, Instant createdAt, Instant updatedAt, Instant expiresAt, Instant handoverAt) {
        this(sessionId, waId, flowId, status, currentScreen, history, userData, initialData, lastRequestHash, lastResponse,
                transitions, createdAt, updatedAt, expiresAt, handoverAt, null, null, null);
    }

    /** A screen the session was answered with, and the data it was shown with. */
    public record Screen(String screen, JsonNode data) {
    }

    /** This new session, assigned to a variant of an experiment (both null: none). */
    public FlowSession inExperiment(String experiment, String variantName) {
        return new FlowSession(sessionId, waId, flowId, status, currentScreen, history, userData, initialData, lastRequestHash,
                lastResponse, transitions, createdAt, updatedAt, expiresAt, handoverAt, flowVersion, experiment, variantName);
    }

    public boolean isExpired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    public boolean isActive() {
        return ACTIVE.equals(status);
    }

    /** The same session after a step: new screen, history, data, status and double-tap fingerprint. */
    public FlowSession next(String newStatus, String screen, List<Screen> newHistory, ObjectNode newUserData,
                            byte[] requestHash, JsonNode response, Instant newHandoverAt) {
        return new FlowSession(sessionId, waId, flowId, newStatus, screen, List.copyOf(newHistory), newUserData, initialData,
                requestHash, response, transitions + 1, createdAt, updatedAt, expiresAt, newHandoverAt,
                flowVersion, experimentId, variant);
    }
}
