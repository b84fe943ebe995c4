package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.routing.support.RoutingApiInstance;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * JMH: the time the rule engine takes to decide the example Flow's busiest step (WELCOME → one of five
 * screens; six CEL conditions over the customer, lead-score and inventory tables, then the winning
 * rule's data, including a slot list), against a real routing-api's rule engine with its caches warm.
 * Sample-time mode, so the output has the p99 the target is stated in.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests install
 * ./mvnw -q -B -pl routing-api exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.flowgate.routing.rules.RuleEvaluationBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RuleEvaluationBenchmark {

    /** Which customer: premium (rule 5 wins) or unknown (falls through to the last rule). */
    @Param({"15550000001", "15559990000"})
    public String waId;

    private RoutingApiInstance app;
    private RuleEngine engine;
    private RuleContext context;

    @Setup(Level.Trial)
    public void start() {
        app = RoutingApiInstance.builder().start();
        new DeviceRepairExample(app.uri("/"), RoutingApiInstance.ADMIN_TOKEN).install();
        engine = app.context().getBean(RuleEngine.class);
        ObjectNode submitted = JsonNodeFactory.instance.objectNode().put("item_id", "iphone-13-screen").put("budget", "300");
        context = new RuleContext(submitted, waId, DeviceRepairExample.FLOW_ID, "WELCOME", submitted.deepCopy(),
                JsonNodeFactory.instance.objectNode(), 1);
    }

    @TearDown(Level.Trial)
    public void stop() {
        app.close();
    }

    @Benchmark
    public Optional<Decision> decideWelcome() {
        return engine.decide(DeviceRepairExample.FLOW_ID, "WELCOME", RuleDefinition.DATA_EXCHANGE, context);
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder()
                .include(RuleEvaluationBenchmark.class.getSimpleName())
                .forks(0)
                .threads(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(5))
                .measurementIterations(5).measurementTime(TimeValue.seconds(5))
                .build()).run();
    }
}
