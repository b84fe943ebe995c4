package io.flowgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.simulator.load.ThinkTime;
import io.flowgate.simulator.report.FlowJourneyOutcome;
import io.flowgate.simulator.report.FlowJourneyOutcome.Ending;
import io.flowgate.simulator.report.LoadReport;
import io.flowgate.simulator.support.RoutingApi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A short load test of Flow users against a real routing-api with the device_repair example: what the
 * simulator reports must match its scenario mix, and what routing-api stored must match what the
 * simulator believes. One run (seeded) is shared by the checks; no check is about timing.
 */
class LoadRunAgainstRoutingApiTest {

    private static final List<String> EVERY_BRANCH = List.of("PAYMENT", "NOTIFY_ME", "LIVE_AGENT", "EXPRESS_SCHEDULE",
            "STANDARD_SCHEDULE", "CONFIRM");
    private static RoutingApi routingApi;
    private static LoadReport report;
    private static String printed;

    @BeforeAll
    static void run() throws Exception {
        routingApi = RoutingApi.shared();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SimulatorConfig config = SimulatorConfig.load()
                .routingApi(routingApi.uri())
                .publicKey(routingApi.publicKey())
                .appSecret(RoutingApi.APP_SECRET)
                .adminToken(RoutingApi.ADMIN_TOKEN)
                .rate(15)
                .duration(Duration.ofSeconds(5))
                .users(300)
                .chatShare(0)
                .thinkTime(new ThinkTime(Duration.ofMillis(20), Duration.ofMillis(120)))
                .seed(42)
                .workers(16)
                .drain(Duration.ofSeconds(60))
                .out(new PrintStream(out, true, StandardCharsets.UTF_8))
                .build();
        try (Simulation simulation = Simulator.start(config)) {
            report = simulation.await();
        }
        printed = out.toString(StandardCharsets.UTF_8);
        // kept in the test's output file: the figures of this run
        System.out.print(printed);
    }

    private static List<FlowJourneyOutcome> outcomes() {
        return report.flows().recent();
    }

    @Test
    void everyUserWhoArrivedFinishedTheirJourneyWithoutErrors() {
        assertThat(outcomes()).hasSize(75);
        assertThat(report.errors()).as(report.errorsByKind().toString()).isZero();
        assertThat(report.checks().unexpected()).as(report.checks().examples().toString()).isZero();
        assertThat(report.flows().endings().get(Ending.FAILED)).isZero();
        assertThat(report.flows().endings().get(Ending.CUT_OFF)).isZero();
    }

    @Test
    void everyBranchOfTheFlowIsTaken() {
        assertThat(report.flows().reached().keySet()).containsAll(EVERY_BRANCH);
        assertThat(report.flows().handovers()).isPositive();
    }

    @Test
    void completedJourneysEndedWithSuccess() {
        assertThat(report.flows().completed()).isPositive();
        assertThat(outcomes()).filteredOn(o -> o.ending() == Ending.COMPLETED)
                .allSatisfy(o -> assertThat(o.lastScreen()).isEqualTo("SUCCESS"));
        assertThat(report.flows().reached().get("SUCCESS")).isEqualTo(report.flows().completed());
    }

    @Test
    void usersWhoStoppedAreCountedAsDropsAtTheirLastScreen() {
        List<FlowJourneyOutcome> dropped = outcomes().stream().filter(o -> o.ending() == Ending.DROPPED).toList();
        assertThat(dropped).isNotEmpty();
        long fromOutcomes = dropped.stream().filter(FlowJourneyOutcome::started).count();
        assertThat(report.flows().droppedAt().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(fromOutcomes);
        assertThat(dropped).allSatisfy(o -> assertThat(o.lastScreen()).isNotEqualTo("SUCCESS"));
        assertThat(report.flows().started()).isEqualTo(report.flows().completed() + fromOutcomes);
    }

    @Test
    void everyExpiredTokenWasRefusedWith427() {
        assertThat(report.checks().expiredTokens()).isPositive();
        assertThat(report.checks().expiredTokensRefused()).isEqualTo(report.checks().expiredTokens());
        assertThat(report.flows().endings().get(Ending.REFUSED)).isEqualTo(report.checks().expiredTokens());
        assertThat(outcomes()).filteredOn(o -> o.ending() == Ending.REFUSED).allSatisfy(o -> assertThat(o.started()).isFalse());
    }

    @Test
    void everyCopyOfADoubleTapGotTheSameAnswer() {
        assertThat(report.checks().doubleTaps()).isPositive();
        assertThat(report.checks().doubleTapsIdentical()).isEqualTo(report.checks().doubleTaps());
    }

    @Test
    void backPressesRewoundTheSessionAndTheUserCameBackToTheSameScreen() {
        assertThat(report.checks().backPresses()).isPositive();
    }

    @Test
    void routingApiStoredWhatTheSimulatorBelieves() {
        List<FlowJourneyOutcome> sample = outcomes().stream().filter(o -> o.sessionId() != null).limit(30).toList();
        assertThat(sample).hasSizeGreaterThanOrEqualTo(30);
        for (FlowJourneyOutcome outcome : sample) {
            JsonNode session = routingApi.session(outcome.sessionId());
            assertThat(session.path("wa_id").asText()).as(outcome.plan()).isEqualTo(outcome.waId());
            switch (outcome.ending()) {
                case COMPLETED -> {
                    assertThat(session.path("status").asText()).as(outcome.plan())
                            .isEqualTo(outcome.handover() ? "handover" : "completed");
                    assertThat(session.path("current_screen").asText()).isEqualTo("SUCCESS");
                }
                case DROPPED -> {
                    assertThat(session.path("status").asText()).as(outcome.plan()).isEqualTo("active");
                    assertThat(session.path("current_screen").asText()).as(outcome.plan()).isEqualTo(outcome.lastScreen());
                    assertThat(session.path("handover").asBoolean()).as(outcome.plan()).isEqualTo(outcome.handover());
                }
                case REFUSED -> {
                    assertThat(session.path("current_screen").isNull()).as(outcome.plan()).isTrue();
                    assertThat(Instant.parse(session.path("expires_at").asText())).isBefore(Instant.now());
                }
                default -> throw new AssertionError("unexpected ending " + outcome);
            }
        }
    }

    @Test
    void tableShowsLatencyPerRequestKindAndTheExpectedAnalytics() {
        assertThat(report.kinds()).extracting(k -> k.kind())
                .contains("admin mint", "flow INIT", "flow INIT (expired token)", "flow data_exchange WELCOME", "flow ping");
        assertThat(report.kinds()).allSatisfy(k -> assertThat(k.max()).isGreaterThanOrEqualTo(k.p50()));
        assertThat(printed).contains("request kind", "p99 ms", "sessions started", "reached WELCOME", "dropped at",
                "handovers", "expired tokens refused with 427");
        Map<String, Long> reached = report.flows().reached();
        assertThat(printed).contains(String.format("%-48s %12s", "reached WELCOME", reached.get("WELCOME")).strip());
    }
}
