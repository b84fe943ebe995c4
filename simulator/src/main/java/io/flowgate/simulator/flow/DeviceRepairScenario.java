package io.flowgate.simulator.flow;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The users of the shipped {@code device_repair} example and what its routing rules should do with
 * them: a customer who owes money is sent to PAYMENT, a part that sold out to NOTIFY_ME, a budget of
 * 5000 or more to a LIVE_AGENT (a handover), the premium customer to EXPRESS_SCHEDULE, everyone else to
 * STANDARD_SCHEDULE and on to CONFIRM. The mix takes every branch; the screens it predicts are checked
 * against every answer.
 */
final class DeviceRepairScenario {

    static final String FLOW_ID = "device_repair";
    /** The example's customer records (routing-api examples/device_repair/tables.json). */
    static final String PREMIUM_CUSTOMER = "15550000001";
    static final String CUSTOMER_WITH_BALANCE = "15550000002";
    /** Out of stock, so not in the dropdown: a user whose form still lists it picks it anyway. */
    static final String SOLD_OUT_PART = "galaxy-s23-port";
    static final int SPECIALIST_BUDGET = 5000;
    static final String HANDOVER_SCREEN = "LIVE_AGENT";

    private static final double EXPIRED_TOKENS = 0.06;
    private static final double DROPS = 0.25;
    private static final double DOUBLE_TAPS = 0.15;
    private static final double BACK_PRESSES = 0.15;

    private enum Branch {
        STANDARD(40, "standard customer", List.of("WELCOME", "STANDARD_SCHEDULE", "CONFIRM", "SUCCESS")),
        EXPRESS(20, "premium customer", List.of("WELCOME", "EXPRESS_SCHEDULE", "CONFIRM", "SUCCESS")),
        SPECIALIST(12, "big spender", List.of("WELCOME", HANDOVER_SCREEN, "SUCCESS")),
        PAYMENT(13, "customer with a balance due", List.of("WELCOME", "PAYMENT", "SUCCESS")),
        SOLD_OUT(15, "customer with a stale form", List.of("WELCOME", "NOTIFY_ME", "SUCCESS"));

        final int weight;
        final String persona;
        final List<String> path;

        Branch(int weight, String persona, List<String> path) {
            this.weight = weight;
            this.persona = persona;
            this.path = path;
        }
    }

    private static final int TOTAL_WEIGHT = java.util.Arrays.stream(Branch.values()).mapToInt(b -> b.weight).sum();

    /** A plan for a user arriving now; {@code poolWaId} is their number when they are not a known customer. */
    FlowPlan plan(RandomGenerator random, String poolWaId) {
        Branch branch = branch(random);
        String waId = switch (branch) {
            case EXPRESS -> PREMIUM_CUSTOMER;
            case PAYMENT -> CUSTOMER_WITH_BALANCE;
            default -> poolWaId;
        };
        if (random.nextDouble() < EXPIRED_TOKENS) {
            return new FlowPlan(waId, branch.persona, branch.path, Map.of(), -1, -1, 0, -1, Map.of(), true, null);
        }
        Map<String, String> answers = new HashMap<>();
        answers.put("budget", branch == Branch.SPECIALIST ? specialistBudget(random) : everydayBudget(random));
        if (branch == Branch.SOLD_OUT) {
            answers.put("item_id", SOLD_OUT_PART);
        }
        List<String> path = branch.path;
        int lastScreen = path.size() - 2; // the one before SUCCESS
        int dropAfter = random.nextDouble() < DROPS ? random.nextInt(lastScreen + 1) : -1;
        int lastSubmit = dropAfter >= 0 ? dropAfter - 1 : lastScreen;
        int doubleTapAt = lastSubmit >= 0 && random.nextDouble() < DOUBLE_TAPS ? random.nextInt(lastSubmit + 1) : -1;
        boolean scheduled = branch == Branch.STANDARD || branch == Branch.EXPRESS;
        // back from the scheduling screen to WELCOME, where the user lowers or raises the budget
        int backPressAt = scheduled && dropAfter != 0 && random.nextDouble() < BACK_PRESSES ? 1 : -1;
        Map<String, String> changed = backPressAt >= 0 ? Map.of("budget", everydayBudget(random)) : Map.of();
        return new FlowPlan(waId, branch.persona, path, answers, dropAfter, doubleTapAt, 2 + random.nextInt(2),
                backPressAt, changed, false, path.contains(HANDOVER_SCREEN) ? HANDOVER_SCREEN : null);
    }

    private static Branch branch(RandomGenerator random) {
        int r = random.nextInt(TOTAL_WEIGHT);
        for (Branch b : Branch.values()) {
            r -= b.weight;
            if (r < 0) {
                return b;
            }
        }
        throw new IllegalStateException("weights do not add up");
    }

    private static String everydayBudget(RandomGenerator random) {
        return String.valueOf(50 + 10 * random.nextInt((SPECIALIST_BUDGET - 50) / 10));
    }

    private static String specialistBudget(RandomGenerator random) {
        return String.valueOf(SPECIALIST_BUDGET + 500 * random.nextInt(31));
    }
}
