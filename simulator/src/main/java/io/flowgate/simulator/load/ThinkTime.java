package io.flowgate.simulator.load;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long a user looks at a screen or a message before the next tap: uniform between {@code min}
 * and {@code max}. Real users take seconds; a short test run takes milliseconds.
 */
public record ThinkTime(Duration min, Duration max) {

    public ThinkTime {
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("think time needs 0 <= min <= max, got " + min + " to " + max);
        }
    }

    public Duration next(RandomGenerator random) {
        long spread = max.toMillis() - min.toMillis();
        return Duration.ofMillis(min.toMillis() + (spread == 0 ? 0 : random.nextLong(spread + 1)));
    }
}
