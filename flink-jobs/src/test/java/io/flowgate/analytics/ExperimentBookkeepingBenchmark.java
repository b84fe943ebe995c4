package io.flowgate.analytics;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.FlowgateEvent;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the experiment bookkeeping costs the analytics job: the same transitions (each with its endpoint
 * request, {@link AnalyticsThroughputBenchmark#generate}) read by batch runs from two topics, once untagged
 * and once with every session in a two-variant experiment (so every session is measured by the session
 * tracker and every request and session reaches the experiment monitor), alternately, run by run, so that
 * the machine's load spreads over both. Not a test: it reports. The command (from the repository root,
 * nothing installed) is in docs/benchmarks.md, "Experiment bookkeeping".
 */
public final class ExperimentBookkeepingBenchmark {

    private static final String PLAIN = "bench.plain";
    private static final String TAGGED = "bench.tagged";
    private static final AnalyticsDatabase.Experiment EXPERIMENT = new AnalyticsDatabase.Experiment("bench-exp",
            "bench_form", "WELCOME", null, null, List.of("control", "b"));

    private ExperimentBookkeepingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int transitions = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf("machine: %d cores, %d MB max heap%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(2);
        kafka.createTopics(List.of(PLAIN, TAGGED), 2);
        EmbeddedPostgresServer.shared();

        List<FlowgateEvent> plain = AnalyticsThroughputBenchmark.generate(transitions, new Random(1));
        List<FlowgateEvent> tagged = ExperimentScenario.tagged(plain, "bench-exp", ExperimentBookkeepingBenchmark::variant);
        AnalyticsThroughputBenchmark.publish(kafka, PLAIN, plain);
        AnalyticsThroughputBenchmark.publish(kafka, TAGGED, tagged);
        // past the last session's measuring age (2 stale-afters), so every session is measured
        Instant to = plain.get(plain.size() - 1).eventTime().plus(Duration.ofMinutes(70)).truncatedTo(ChronoUnit.MINUTES);

        List<Double> plainSeconds = new ArrayList<>();
        List<Double> taggedSeconds = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            plainSeconds.add(run(kafka, PLAIN, run, to));
            taggedSeconds.add(run(kafka, TAGGED, run, to));
            System.out.printf("run %d: untagged %.1f s, tagged %.1f s%n", run, plainSeconds.get(run - 1), taggedSeconds.get(run - 1));
        }
        double p = median(plainSeconds);
        double t = median(taggedSeconds);
        System.out.printf("== experiment bookkeeping: %,d transitions + %,d requests, batch, parallelism 2, median of %d ==%n",
                transitions, plain.size() - transitions, runs);
        System.out.printf("untagged: %.1f s -> %,.0f transitions/s; tagged: %.1f s -> %,.0f transitions/s; cost %+.0f %% "
                + "(%.1f µs of job time per transition)%n", p, transitions / p, t, transitions / t, (t / p - 1) * 100,
                (t - p) * 1e6 / transitions);
        System.exit(0);
    }

    private static String variant(String sessionId) {
        return (sessionId.hashCode() & 1) == 0 ? "control" : "b";
    }

    private static double run(EmbeddedKafkaBroker kafka, String topic, int run, Instant to) throws Exception {
        AnalyticsDatabase db = AnalyticsDatabase.create("bench_exp", Map.of(), List.of(), EXPERIMENT);
        StreamExecutionEnvironment env = AnalyticsThroughputBenchmark.localEnvironment();
        AnalyticsJobs.buildInto(env, AnalyticsOptions.fromArgs("--kafka-bootstrap", kafka.bootstrapServers(),
                "--topic", topic, "--group-id", "bench-" + topic + "-" + run, "--jdbc-url", db.url, "--jdbc-user", "postgres",
                "--mode", "batch", "--to", to.toString(), "--parallelism", "2"));
        JobExecutionResult result = env.execute("bench-" + topic);
        return result.getNetRuntime() / 1000.0;
    }

    private static double median(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray()[values.size() / 2];
    }
}
