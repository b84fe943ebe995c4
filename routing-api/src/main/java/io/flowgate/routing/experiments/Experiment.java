package io.flowgate.routing.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.rules.RuleDefinition;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A routing experiment as stored in {@code experiments}, {@code experiment_variants} and
 * {@code experiment_guardrail_stops}: a Flow's traffic split between the control (today's rules) and
 * treatments (alternative rules for named screens), and the variants the analytics job stopped.
 *
 * @param primaryMetric    {@code completion} or {@code screen:<SCREEN>}
 * @param maxP90LatencyMs  guardrail, null for the default of docs/experiments.md
 * @param maxErrorRate     guardrail, null for the default of docs/experiments.md
 * @param winner           the promoted variant, once finished by promotion
 */
public record Experiment(
        String experimentId,
        String flowId,
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
     * A variant: the control has no rules (it is routed by the normal rules); a treatment's rules replace
     * the normal rules for the (screen, action) pairs they name.
     */
    public record Variant(String name, boolean control, int weight, List<RuleDefinition> rules) {
        public Variant {
            rules = List.copyOf(rules);
        }
    }

    /** Why the analytics job stopped a variant. */
    public record GuardrailStop(String variant, String guardrail, Double observed, Double threshold, JsonNode detail,
                                Instant stoppedAt) {
    }

    /** Running or paused: its sessions keep their variants, and at most one per Flow is. */
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
        return new Experiment(experimentId, flowId, description, newStatus, primaryMetric, alpha, maxP90LatencyMs,
                maxErrorRate, winner, createdAt, startedAt, endedAt, variants, stops);
    }
}
