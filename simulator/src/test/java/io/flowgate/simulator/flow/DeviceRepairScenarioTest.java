package io.flowgate.simulator.flow;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

class DeviceRepairScenarioTest {

    private static final int USERS = 20_000;
    private final DeviceRepairScenario scenario = new DeviceRepairScenario();

    private List<FlowPlan> plans(long seed) {
        SplittableRandom master = new SplittableRandom(seed);
        List<FlowPlan> plans = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            plans.add(scenario.plan(master.split(), "1557" + i));
        }
        return plans;
    }

    private static double share(List<FlowPlan> plans, Predicate<FlowPlan> p) {
        return plans.stream().filter(p).count() / (double) plans.size();
    }

    @Test
    void theMixTakesEveryBranchInItsIntendedShare() {
        List<FlowPlan> plans = plans(7).stream().filter(p -> !p.expiredToken()).toList();

        assertThat(share(plans, p -> p.path().contains("STANDARD_SCHEDULE"))).isBetween(0.37, 0.43);
        assertThat(share(plans, p -> p.path().contains("EXPRESS_SCHEDULE"))).isBetween(0.18, 0.22);
        assertThat(share(plans, p -> p.path().contains("LIVE_AGENT"))).isBetween(0.10, 0.14);
        assertThat(share(plans, p -> p.path().contains("PAYMENT"))).isBetween(0.11, 0.15);
        assertThat(share(plans, p -> p.path().contains("NOTIFY_ME"))).isBetween(0.13, 0.17);
    }

    @Test
    void humanBehavioursComeInTheirIntendedShares() {
        List<FlowPlan> plans = plans(11);

        assertThat(share(plans, FlowPlan::expiredToken)).isBetween(0.05, 0.07);
        List<FlowPlan> opened = plans.stream().filter(p -> !p.expiredToken()).toList();
        assertThat(share(opened, p -> p.dropAfter() >= 0)).isBetween(0.23, 0.27);
        // a user who stops on the first screen never taps, so slightly fewer than 15 % double tap
        assertThat(share(opened, p -> p.doubleTapAt() >= 0)).isBetween(0.11, 0.15);
        assertThat(share(opened, p -> p.backPressAt() >= 0)).isBetween(0.06, 0.10);
    }

    @Test
    void answersLeadToThePredictedBranch() {
        for (FlowPlan plan : plans(3)) {
            if (plan.expiredToken()) {
                continue;
            }
            String branch = plan.path().get(1);
            int budget = Integer.parseInt(plan.answers().getOrDefault("budget", "0"));
            switch (branch) {
                case "PAYMENT" -> assertThat(plan.waId()).isEqualTo(DeviceRepairScenario.CUSTOMER_WITH_BALANCE);
                case "NOTIFY_ME" -> assertThat(plan.answers()).containsEntry("item_id", DeviceRepairScenario.SOLD_OUT_PART);
                case "LIVE_AGENT" -> {
                    assertThat(budget).isGreaterThanOrEqualTo(DeviceRepairScenario.SPECIALIST_BUDGET);
                    assertThat(plan.handoverScreen()).isEqualTo("LIVE_AGENT");
                }
                case "EXPRESS_SCHEDULE" -> assertThat(plan.waId()).isEqualTo(DeviceRepairScenario.PREMIUM_CUSTOMER);
                case "STANDARD_SCHEDULE" -> assertThat(plan.waId()).startsWith("1557");
                default -> throw new AssertionError("unknown branch " + branch);
            }
            if (!"LIVE_AGENT".equals(branch)) {
                assertThat(budget).isLessThan(DeviceRepairScenario.SPECIALIST_BUDGET);
            }
            plan.changedAnswers().values().forEach(b -> assertThat(Integer.parseInt(b)).isLessThan(DeviceRepairScenario.SPECIALIST_BUDGET));
        }
    }

    @Test
    void aUserDoubleTapsOnlyScreensTheyReachAndSubmit() {
        for (FlowPlan plan : plans(5)) {
            int lastScreen = plan.path().size() - 2;
            assertThat(plan.dropAfter()).isLessThanOrEqualTo(lastScreen);
            if (plan.doubleTapAt() >= 0) {
                assertThat(plan.doubleTapAt()).isLessThanOrEqualTo(plan.dropAfter() >= 0 ? plan.dropAfter() - 1 : lastScreen);
                assertThat(plan.tapCopies()).isBetween(2, 3);
            }
            if (plan.backPressAt() >= 0) {
                assertThat(plan.path().get(plan.backPressAt())).endsWith("_SCHEDULE");
                assertThat(plan.dropAfter()).isNotZero();
            }
        }
    }

    @Test
    void theSameSeedMakesTheSamePlans() {
        assertThat(plans(42).subList(0, 100)).isEqualTo(plans(42).subList(0, 100));
    }
}
