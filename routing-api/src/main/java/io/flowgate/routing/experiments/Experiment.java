package io.flowgate.routing.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.rules.RuleDefinition;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A routing experiment as stored in {@code experiments}, {@code experiment_variants} and
 * {@code experiment_guardrail_stops}: a Flow's traffic split between the control (today's rules) and
 * treatments (alternative rules for named screens), or a chat machine's between its definition and
 * treatments (alternative definitions of named states), and the variants the analytics job stopped.
 *
 * @param flowId           the Flow, or null for a chat machine's experiment
 * @param machineId        the chat machine, or null for a Flow's experiment
 * @param primaryMetric    {@code completion} or {@code screen:<SCREEN>}
 * @param maxP90LatencyMs  guardrail, null for the default of docs/experiments.md
 * @param maxErrorRate     guardrail, null for the default of docs/experiments.md
 * @param winner           the promoted variant, once finished by promotion
 */
public record Experiment(
        String experimentId,
        String flowId,
        String machineId,
        String description,
        String status,
        String primaryMetric,
        double alpha,
        Double maxP90LatencyMs,
        Double maxErrorRate,
        String winner,
        Instant createdAt,
        Instant startedAt,
        Instant endedAt,
        List<Variant> variants,
        List<GuardrailStop> stops) {

    public static final String DRAFT = "draft";
    public static final String RUNNING = "running";
    public static final String PAUSED = "paused";
    public static final String STOPPED = "stopped";
    public static final String FINISHED = "finished";

    public Experiment {
        variants = List.copyOf(variants);
        stops = List.copyOf(stops);
    }

    /**
     * A variant: the control has no rules or states (it is routed by the normal rules, or the machine as it
     * is); a treatment's rules replace the normal rules for the (screen, action) pairs they name, its states
     * (an object of state definitions by id) the machine's states of the same id.
     */
    public record Variant(String name, boolean control, int weight, List<RuleDefinition> rules, ObjectNode states) {
        public Variant {
            rules = List.copyOf(rules);
            states = states == null ? JsonNodeFactory.instance.objectNode() : states.deepCopy();
        }

        public Variant(String name, boolean control, int weight, List<RuleDefinition> rules) {
            this(name, control, weight, rules, null);
        }
    }

    /** Whether the experiment is a chat machine's rather than a Flow's. */
    public boolean onMachine() {
        return machineId != null;
    }

    /** The Flow or the chat machine the experiment belongs to, for messages. */
    public String subject() {
        return onMachine() ? "chat machine " + machineId : "Flow " + flowId;
    }

    /** Why the analytics job stopped a variant. */
    public record GuardrailStop(String variant, String guardrail, Double observed, Double threshold, JsonNode detail,
                                Instant stoppedAt) {
    }

    /** Running or paused: its sessions keep their variants, and at most one per Flow (or machine) is. */
    public boolean isLive() {
        return RUNNING.equals(status) || PAUSED.equals(status);
    }

    public Optional<Variant> variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    public Variant control() {
        return variants.stream().filter(Variant::control).findFirst().orElseThrow();
    }

    /** Variants a guardrail stopped. */
    public Set<String> stopped() {
        return stops.stream().map(GuardrailStop::variant).collect(Collectors.toUnmodifiableSet());
    }

    /** The same experiment with another status (as read in another statement). */
    public Experiment withStatus(String newStatus) {
        return new Experiment(experimentId, flowId, machineId, description, newStatus, primaryMetric, alpha, maxP90LatencyMs,
                maxErrorRate, winner, createdAt, startedAt, endedAt, variants, stops);
    }
}
