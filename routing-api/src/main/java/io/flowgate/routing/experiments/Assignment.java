package io.flowgate.routing.experiments;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.Set;

/**
 * Sticky assignment of users to variants: the first 8 bytes of SHA-256({@code experiment_id + ":" + wa_id}),
 * as an unsigned number, modulo the sum of the variants' weights, is the user's bucket; the variants own
 * consecutive ranges of buckets in their order of definition. The same user gets the same variant in every
 * session, on every instance and after restarts, with no state kept. A variant stopped by a guardrail or of
 * weight 0 gets no new users: buckets of a stopped variant go to the control (so no other user moves).
 */
public final class Assignment {

    private Assignment() {
    }

    /** The bucket of a user in an experiment, in [0, totalWeight). */
    static long bucket(String experimentId, String waId, int totalWeight) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((experimentId + ":" + waId).getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (hash[i] & 0xff);
            }
            return Long.remainderUnsigned(h, totalWeight);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The variant a user starting a session (or a chat conversation) is assigned: empty unless the
     * experiment is running (a paused one assigns nobody new).
     */
    public static Optional<String> assign(Experiment experiment, String waId) {
        return Experiment.RUNNING.equals(experiment.status())
                ? Optional.of(variantOf(experiment, waId, experiment.stopped()))
                : Optional.empty();
    }

    /** The variant a user gets in an experiment, whatever its status; the control when the weights sum to 0. */
    public static String variantOf(Experiment experiment, String waId, Set<String> stopped) {
        int total = experiment.variants().stream().mapToInt(Experiment.Variant::weight).sum();
        String control = experiment.control().name();
        if (total <= 0) {
            return control;
        }
        long bucket = bucket(experiment.experimentId(), waId, total);
        long upTo = 0;
        for (Experiment.Variant v : experiment.variants()) {
            upTo += v.weight();
            if (bucket < upTo) {
                return stopped.contains(v.name()) ? control : v.name();
            }
        }
        return control;
    }
}
