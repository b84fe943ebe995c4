package io.flowgate.simulator.flow;

import io.flowgate.simulator.support.RoutingApi;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The experiment scenarios against a real routing-api: the uplift treatment completes more often, by
 * about the designed amount; the A/A treatment is routed like the control; the slow-rules treatment's
 * DETAILS requests take longer. The scenarios run one after the other on the one Flow.
 */
class ExperimentScenarioTest {

    private final RoutingApi api = RoutingApi.shared();
    private final ExperimentScenario scenario = ExperimentScenario.connect(HttpClient.newHttpClient(), api.uri(),
            BusinessPublicKey.read(api.publicKey()), RoutingApi.APP_SECRET, RoutingApi.ADMIN_TOKEN);

    @Test
    void scenariosShowTheirDesignedEffects() throws Exception {
        scenario.install(ExperimentScenario.Kind.UPLIFT, "sim-uplift");
        ExperimentScenario.Result uplift = scenario.run(160, 1, "1556100");
        scenario.stop("sim-uplift");
        assertThat(uplift.problems()).isEmpty();
        assertThat(uplift.variants()).containsOnlyKeys("control", "skip_schedule");
        var control = uplift.variants().get("control");
        var skip = uplift.variants().get("skip_schedule");
        assertThat(control.sessions()).isBetween(50, 110);
        assertThat(control.completionRate()).isCloseTo(ExperimentScenario.CONTROL_COMPLETION, within(0.15));
        assertThat(skip.completionRate()).isCloseTo(ExperimentScenario.SKIP_COMPLETION, within(0.15));
        assertThat(skip.completionRate()).isGreaterThan(control.completionRate());

        scenario.install(ExperimentScenario.Kind.AA, "sim-aa");
        ExperimentScenario.Result aa = scenario.run(60, 2, "1556200");
        scenario.stop("sim-aa");
        assertThat(aa.problems()).isEmpty();
        assertThat(aa.variants()).containsOnlyKeys("control", "same");

        scenario.install(ExperimentScenario.Kind.SLOW_RULES, "sim-slow");
        ExperimentScenario.Result slow = scenario.run(40, 3, "1556300");
        scenario.stop("sim-slow");
        assertThat(slow.problems()).isEmpty();
        assertThat(slow.variants().get("slow").medianDetailsMicros()).as(slow.variants().toString())
                .isGreaterThan(3 * slow.variants().get("control").medianDetailsMicros() / 2);
    }
}
