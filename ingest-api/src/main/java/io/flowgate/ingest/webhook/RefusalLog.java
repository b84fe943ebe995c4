package io.flowgate.ingest.webhook;

import org.slf4j.Logger;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs refusals at info, at most one line per kind of refusal per second. A flood of forged or excess
 * requests would otherwise turn into a flood of log lines, adding disk and CPU load to an overload;
 * the exact counts stay on the {@code flowgate.ingest.webhooks} counter, and each line says how many
 * refusals it stands for.
 */
final class RefusalLog {

    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final Logger log;
    /** One window per kind; kinds are constants of the code, never values from a request. */
    private final Map<Object, Window> windows = new ConcurrentHashMap<>();

    RefusalLog(Logger log) {
        this.log = log;
    }

    /**
     * @param kind   what was refused ({@link Outcome} for a POST, a constant for the handshake)
     * @param format an SLF4J pattern and its arguments
     */
    void info(Object kind, String format, Object... args) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long held = windows.computeIfAbsent(kind, k -> new Window()).tryOpen(System.nanoTime());
        if (held < 0) {
            return;
        }
        if (held == 0) {
            log.info(format, args);
            return;
        }
        Object[] withHeld = Arrays.copyOf(args, args.length + 1);
        withHeld[args.length] = held;
        log.info(format + " (and {} more like it since the last line)", withHeld);
    }

    private static final class Window {
        private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
        private final AtomicLong held = new AtomicLong();

        /** The number of lines held back since the last one, or -1 when this one is held back too. */
        long tryOpen(long now) {
            long next = nextAllowed.get();
            if ((next == Long.MIN_VALUE || now - next >= 0) && nextAllowed.compareAndSet(next, now + INTERVAL_NANOS)) {
                return held.getAndSet(0);
            }
            held.incrementAndGet();
            return -1;
        }
    }
}
