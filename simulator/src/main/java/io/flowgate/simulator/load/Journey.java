package io.flowgate.simulator.load;

import java.time.Duration;
import java.util.Optional;

/**
 * One simulated user's visit, taken one step at a time: a step makes its requests (blocking is fine,
 * it runs on a worker thread) and says how long the user thinks before the next. Steps instead of a
 * thread per user, so thousands of users who mostly think cost a few threads.
 */
public interface Journey {

    /** Takes the next step; returns the pause before the following one, or empty when the journey is over. */
    Optional<Duration> step() throws InterruptedException;

    /**
     * The journey will take no more steps although it is not over: the run ended ({@code cause} null)
     * or a step failed with an exception it did not handle. Records how the journey ended.
     */
    void abandon(Throwable cause);
}
