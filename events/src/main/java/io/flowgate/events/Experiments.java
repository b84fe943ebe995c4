package io.flowgate.events;

/** The rule the events share for the experiment a session is in: an experiment id and a variant, or neither. */
final class Experiments {

    /** The longest experiment id or variant name an event carries. */
    static final int MAX_NAME_LENGTH = 64;

    private Experiments() {
    }

    static void checkPair(String experimentId, String variant) {
        if ((experimentId == null) != (variant == null)) {
            throw new IllegalArgumentException("experiment_id and variant go together: both or neither");
        }
        if (experimentId != null && (experimentId.isEmpty() || variant.isEmpty()
                || experimentId.length() > MAX_NAME_LENGTH || variant.length() > MAX_NAME_LENGTH)) {
            throw new IllegalArgumentException("experiment_id and variant are 1 to " + MAX_NAME_LENGTH + " characters");
        }
    }
}
