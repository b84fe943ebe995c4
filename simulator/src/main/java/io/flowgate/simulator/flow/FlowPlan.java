package io.flowgate.simulator.flow;

import java.util.List;
import java.util.Map;

/**
 * What one simulated user will do in a Flow, decided when they arrive: who they are, what they answer,
 * the screens the business's routing should show them in return, and the human part — where they stop,
 * which tap they double, whether they go back and change their mind, or open the message after its
 * token expired.
 *
 * @param path            the screens the answers should show, from the one after {@code INIT} to
 *                        {@code SUCCESS}
 * @param answers         what the user types or picks, by form field; other fields are picked at random
 * @param dropAfter       the index in {@code path} of the screen where the user stops, or -1
 * @param doubleTapAt     the index in {@code path} of the screen whose submit is tapped repeatedly, or -1
 * @param tapCopies       how many identical requests that double tap sends at once (2 or 3)
 * @param backPressAt     the index in {@code path} of the screen where the user presses back, or -1
 * @param changedAnswers  what the user changes after pressing back
 * @param expiredToken    the user opens the Flow only after the token expired
 * @param handoverScreen  the screen that hands the user to a live agent, or null
 */
record FlowPlan(String waId, String persona, List<String> path, Map<String, String> answers, int dropAfter,
                int doubleTapAt, int tapCopies, int backPressAt, Map<String, String> changedAnswers,
                boolean expiredToken, String handoverScreen) {

    FlowPlan {
        path = List.copyOf(path);
        answers = Map.copyOf(answers);
        changedAnswers = Map.copyOf(changedAnswers);
    }

    /** The plan in words, for reports; holds no token. */
    String describe() {
        if (expiredToken) {
            return persona + " opens the Flow after the token expired";
        }
        StringBuilder s = new StringBuilder(persona).append(' ').append(answers).append(" -> ").append(String.join(" > ", path));
        if (backPressAt >= 0) {
            s.append(", back on ").append(path.get(backPressAt)).append(" to change ").append(changedAnswers);
        }
        if (doubleTapAt >= 0) {
            s.append(", taps ").append(tapCopies).append("x on ").append(path.get(doubleTapAt));
        }
        if (dropAfter >= 0) {
            s.append(", stops on ").append(path.get(dropAfter));
        }
        return s.toString();
    }
}
