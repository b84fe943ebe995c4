package io.flowgate.simulator.report;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the scenario mix promises and the simulator checks on every answer: the screen each user's
 * choices lead to, the 427 for every expired token, identical answers to every copy of a double tap,
 * {@code SUCCESS} carrying the session's flow token. Anything else is an unexpected answer, counted
 * with a few examples so a failing run says what went wrong.
 */
public final class ScenarioChecks {

    private static final int EXAMPLES = 20;

    private final LongAdder unexpected = new LongAdder();
    private final List<String> examples = new ArrayList<>();
    private final LongAdder doubleTaps = new LongAdder();
    private final LongAdder doubleTapsIdentical = new LongAdder();
    private final LongAdder expiredTokens = new LongAdder();
    private final LongAdder expiredTokensRefused = new LongAdder();
    private final LongAdder backPresses = new LongAdder();

    /** An answer the scenario did not predict; {@code what} must not hold secrets or flow tokens. */
    public void unexpected(String what) {
        unexpected.increment();
        synchronized (examples) {
            if (examples.size() < EXAMPLES) {
                examples.add(what);
            }
        }
    }

    public void doubleTap(boolean identicalAnswers) {
        doubleTaps.increment();
        if (identicalAnswers) {
            doubleTapsIdentical.increment();
        }
    }

    public void expiredToken(boolean refusedWith427) {
        expiredTokens.increment();
        if (refusedWith427) {
            expiredTokensRefused.increment();
        }
    }

    public void backPress() {
        backPresses.increment();
    }

    public long unexpected() {
        return unexpected.sum();
    }

    Summary summary() {
        List<String> copy;
        synchronized (examples) {
            copy = List.copyOf(examples);
        }
        return new Summary(unexpected.sum(), copy, doubleTaps.sum(), doubleTapsIdentical.sum(), expiredTokens.sum(),
                expiredTokensRefused.sum(), backPresses.sum());
    }

    /** The checks at one moment; {@code examples} holds the first few unexpected answers. */
    public record Summary(long unexpected, List<String> examples, long doubleTaps, long doubleTapsIdentical,
                          long expiredTokens, long expiredTokensRefused, long backPresses) {
    }
}
