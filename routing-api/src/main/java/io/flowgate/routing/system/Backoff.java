package io.flowgate.routing.system;

import java.time.Duration;

/**
 * Exponential backoff for a background worker that retries what failed (a database or Kafka away): the
 * wait doubles from {@code min} up to {@code max} with each failure, and starts over after a success.
 * Not thread-safe: one worker thread owns it.
 */
public final class Backoff {

    private final Duration min;
    private final Duration max;
    private Duration next;

    public Backoff(Duration min, Duration max) {
        this.min = min;
        this.max = max;
        this.next = min;
    }

    /** How long to wait after this failure; the wait after the next one is twice as long, at most {@code max}. */
    public Duration next() {
        Duration current = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return current;
    }

    /** A success: the next failure waits {@code min} again. */
    public void reset() {
        next = min;
    }

    public Duration max() {
        return max;
    }
}
