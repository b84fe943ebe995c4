package io.flowgate.simulator.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Routing-experiment scenarios played against a running routing-api (docs/experiments.md): the
 * {@code exp_booking} Flow (WELCOME, DETAILS, then SCHEDULE or straight to CONFIRM), whose normal rule
 * sends DETAILS on to SCHEDULE, and whose users drop at each screen with a known probability — most of
 * all at SCHEDULE. Three experiments on it:
 * <ul>
 *   <li>{@link Kind#UPLIFT}: treatment {@code skip_schedule} routes DETAILS straight to CONFIRM. Completion
 *       is {@link #CONTROL_COMPLETION} in the control and {@link #SKIP_COMPLETION} in the treatment.</li>
 *   <li>{@link Kind#AA}: treatment {@code same} has no rules, so both variants are routed alike: any
 *       difference is noise.</li>
 *   <li>{@link Kind#SLOW_RULES}: treatment {@code slow} routes like the control, but its DETAILS rule's
 *       condition is expensive: {@link #SLOW_LOOKUPS} routing-table lookups ({@code item(..)}) of keys
 *       new to every user, each a database round trip, which shows in the endpoint's latency: the
 *       guardrail's case.</li>
 * </ul>
 * A user's fate is decided by the seed alone, whichever variant they get.
 */
public final class ExperimentScenario {

    public static final String FLOW_ID = "exp_booking";
    /** The chance that a user shown the screen leaves the Flow there. */
    public static final Map<String, Double> DROP = Map.of("WELCOME", 0.10, "DETAILS", 0.10, "SCHEDULE", 0.40, "CONFIRM", 0.05);
    public static final double CONTROL_COMPLETION = 0.9 * 0.9 * 0.6 * 0.95;
    public static final double SKIP_COMPLETION = 0.9 * 0.9 * 0.95;
    static final int SLOW_LOOKUPS = 100;
    private static final int LOOKUPS_PER_RULE = 100;
    private static final String NORMAL_RULE_NAME = "details to scheduling";

    /** The three experiments. */
    public enum Kind {
        UPLIFT("skip_schedule", "CONFIRM", "true"),
        AA("same", null, null),
        SLOW_RULES("slow", "SCHEDULE", null);

        final String treatment;
        final String next;
        final String condition;

        Kind(String treatment, String next, String condition) {
            this.treatment = treatment;
            this.next = next;
            this.condition = condition;
        }
    }

    /**
     * Sessions and completions of one variant, and the median latency of its DETAILS submissions as the
     * client saw it (the request the slow rules slow down).
     */
    public record Counts(int sessions, int completions, long medianDetailsMicros) {
        public double completionRate() {
            return sessions == 0 ? 0 : completions / (double) sessions;
        }
    }

    /** What a run saw: per variant ("" for sessions in no experiment), and anything unexpected. */
    public record Result(Map<String, Counts> variants, List<String> problems) {
    }

    private final AdminApi admin;
    private final FlowEndpointClient endpoint;

    private ExperimentScenario(AdminApi admin, FlowEndpointClient endpoint) {
        this.admin = admin;
        this.endpoint = endpoint;
    }

    public static ExperimentScenario connect(HttpClient http, URI routingApi, PublicKey businessKey, String appSecret,
                                             String adminToken) {
        return new ExperimentScenario(new AdminApi(http, routingApi, adminToken),
                new FlowEndpointClient(http, routingApi.resolve("/flows/endpoint"), businessKey, appSecret));
    }

    /**
     * Uploads the Flow and its normal rule (once), then creates and starts experiment {@code experimentId}
     * of this kind, 50/50; a Flow has at most one live experiment, so stop the last one first.
     */
    public void install(Kind kind, String experimentId) throws IOException, InterruptedException {
        install(kind, experimentId, null, SLOW_LOOKUPS);
    }

    /**
     * Like {@link #install(Kind, String)}, with the experiment's {@code max_p90_latency_ms} guardrail (null:
     * the analytics job's default) and, for {@link Kind#SLOW_RULES}, the number of lookups of the slow
     * condition (more: slower).
     */
    public void install(Kind kind, String experimentId, Double maxP90LatencyMs, int slowLookups)
            throws IOException, InterruptedException {
        try {
            admin.call("PUT", "/api/flows/" + FLOW_ID, flowJson(), 200);
        } catch (AdminApi.AdminException first) {
            if (first.status != 201) {
                throw new IOException(first.getMessage());
            }
        }
        try {
            JsonNode rules = admin.call("GET", "/api/flows/" + FLOW_ID + "/rules", null, 200).path("rules");
            boolean present = false;
            for (JsonNode r : rules) {
                present |= NORMAL_RULE_NAME.equals(r.path("name").asText());
            }
            if (!present) {
                admin.call("POST", "/api/flows/" + FLOW_ID + "/rules", rule("SCHEDULE", "true", NORMAL_RULE_NAME).toString(), 201);
            }
            admin.call("POST", "/api/experiments", experiment(kind, experimentId, maxP90LatencyMs, slowLookups).toString(), 201);
            admin.call("POST", "/api/experiments/" + experimentId + "/start", null, 200);
        } catch (AdminApi.AdminException e) {
            throw new IOException(e.getMessage());
        }
    }

    /** Stops an experiment (so that the Flow can run another). */
    public void stop(String experimentId) throws IOException, InterruptedException {
        try {
            admin.call("POST", "/api/experiments/" + experimentId + "/stop", null, 200);
        } catch (AdminApi.AdminException e) {
            throw new IOException(e.getMessage());
        }
    }

    /** Plays {@code users} users, {@code userPrefix + n}, one after the other, each decided by {@code seed}. */
    public Result run(int users, long seed, String userPrefix) throws InterruptedException {
        SplittableRandom master = new SplittableRandom(seed);
        Map<String, int[]> counts = new TreeMap<>();
        Map<String, List<Long>> latencies = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (int n = 0; n < users; n++) {
            SplittableRandom random = master.split();
            String waId = userPrefix + n;
            AdminApi.Minted minted;
            try {
                minted = admin.mint(waId, FLOW_ID, 0);
            } catch (IOException | AdminApi.AdminException e) {
                problems.add("mint for user " + n + ": " + e.getMessage());
                continue;
            }
            int[] c = counts.computeIfAbsent(minted.variant(), v -> new int[2]);
            c[0]++;
            if (walk(minted, random, problems, n, latencies.computeIfAbsent(minted.variant(), v -> new ArrayList<>()))) {
                c[1]++;
            }
        }
        return new Result(counts.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> new Counts(e.getValue()[0], e.getValue()[1], median(latencies.get(e.getKey()))), (a, b) -> a, TreeMap::new)),
                problems);
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** One user: open, then on each screen either leave or submit; true when the Flow completed. */
    private boolean walk(AdminApi.Minted minted, SplittableRandom random, List<String> problems, int n, List<Long> detailsMicros)
            throws InterruptedException {
        FlowAnswer answer = endpoint.send(payload("INIT", "", JsonNodeFactory.instance.objectNode(), minted));
        for (int step = 0; step < 6; step++) {
            String screen = answer.ok() ? answer.screen() : null;
            if (screen == null || answer.data().has("error_message")) {
                problems.add("user " + n + ": unexpected answer " + (answer.ok() ? answer.json() : answer.error()));
                return false;
            }
            if ("SUCCESS".equals(screen)) {
                return true;
            }
            if (random.nextDouble() < DROP.getOrDefault(screen, 0.0)) {
                return false;
            }
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            switch (screen) {
                case "WELCOME" -> data.put("name", "User " + n);
                case "DETAILS" -> data.put("model", "Phone " + random.nextInt(10));
                case "SCHEDULE" -> data.put("slot", "Monday " + (9 + random.nextInt(8)) + ":00");
                default -> {
                }
            }
            answer = endpoint.send(payload("data_exchange", screen, data, minted));
            if (screen.equals("DETAILS")) {
                detailsMicros.add(answer.latencyNanos() / 1_000);
            }
        }
        problems.add("user " + n + ": no end after 6 steps");
        return false;
    }

    private static ObjectNode payload(String action, String screen, ObjectNode data, AdminApi.Minted minted) {
        return FlowEndpointClient.payload(action, screen, data, minted.flowToken());
    }

    static ObjectNode experiment(Kind kind, String experimentId) {
        return experiment(kind, experimentId, null, SLOW_LOOKUPS);
    }

    static ObjectNode experiment(Kind kind, String experimentId, Double maxP90LatencyMs, int slowLookups) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("experiment_id", experimentId);
        e.put("flow_id", FLOW_ID);
        e.put("description", "simulator scenario " + kind.name().toLowerCase());
        if (maxP90LatencyMs != null) {
            e.put("max_p90_latency_ms", maxP90LatencyMs);
        }
        ArrayNode variants = e.putArray("variants");
        variants.addObject().put("variant", "control").put("control", true).put("weight", 1);
        ObjectNode treatment = variants.addObject().put("variant", kind.treatment).put("weight", 1);
        ArrayNode rules = treatment.putArray("rules");
        if (kind == Kind.SLOW_RULES) {
            slowRules(slowLookups).forEach(rules::add);
        } else if (kind.next != null) {
            rules.add(rule(kind.next, kind.condition, kind.treatment));
        }
        return e;
    }

    private static ObjectNode rule(String next, String condition, String name) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("screen", "DETAILS").put("action", "data_exchange").put("next_screen", next).put("condition", condition).put("name", name);
        if ("CONFIRM".equals(next)) {
            r.putObject("data").put("name", "session.data.name");
        }
        return r;
    }

    /**
     * Rules that route DETAILS on to SCHEDULE like the control, after {@code lookups} inventory lookups
     * ({@code item(..)}) of items that do not exist, each a database round trip (their keys are new for every
     * user, so routing-api's cache cannot help). A condition holds at most {@value #LOOKUPS_PER_RULE} of
     * them (a rule's condition is at most 4000 characters), so more lookups take more rules, tried in
     * priority order: each but the last asks whether any of its items exists (never), the last whether
     * none of its items does (always).
     */
    static List<ObjectNode> slowRules(int lookups) {
        List<ObjectNode> rules = new ArrayList<>();
        for (int from = 0, priority = 1; from < lookups; from += LOOKUPS_PER_RULE, priority++) {
            int to = Math.min(lookups, from + LOOKUPS_PER_RULE);
            String any = IntStream.range(from, to).mapToObj(i -> "item(session.wa_id + ':" + i + "').exists")
                    .collect(Collectors.joining(" || "));
            boolean last = to == lookups;
            ObjectNode r = rule(Kind.SLOW_RULES.next, last ? "!(" + any + ")" : any, Kind.SLOW_RULES.treatment + (last ? "" : " " + priority));
            rules.add(r.put("priority", priority));
        }
        return rules;
    }

    private static String flowJson() {
        try (InputStream in = ExperimentScenario.class.getResourceAsStream("experiment_booking.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
