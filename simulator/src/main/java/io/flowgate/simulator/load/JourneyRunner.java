package io.flowgate.simulator.load;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs journeys on a fixed pool of worker threads: each step is scheduled after the previous step's
 * think time. The pool size bounds how many requests the simulator has in flight; closing the runner
 * abandons whatever has not finished, so a run always ends.
 */
public final class JourneyRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JourneyRunner.class);

    private final ScheduledThreadPoolExecutor workers;
    private final Set<Running> active = ConcurrentHashMap.newKeySet();
    private final AtomicLong started = new AtomicLong();
    private final AtomicBoolean loggedFailure = new AtomicBoolean();

    public JourneyRunner(int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "simulator-user-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.workers = new ScheduledThreadPoolExecutor(threads, factory);
        workers.setRemoveOnCancelPolicy(true);
    }

    private final class Running implements Runnable {
        final Journey journey;
        final Runnable whenDone;
        final AtomicBoolean done = new AtomicBoolean();

        Running(Journey journey, Runnable whenDone) {
            this.journey = journey;
            this.whenDone = whenDone;
        }

        @Override
        public void run() {
            Optional<Duration> pause;
            try {
                pause = journey.step();
            } catch (InterruptedException e) {
                abandon(this, null);
                return;
            } catch (RuntimeException e) {
                if (loggedFailure.compareAndSet(false, true)) {
                    log.warn("a simulated user failed (further failures are counted, not logged)", e);
                }
                abandon(this, e);
                return;
            }
            if (pause.isEmpty()) {
                end(this);
                return;
            }
            schedule(this, pause.get());
        }
    }

    /** Starts {@code journey} now; {@code whenDone} runs once when it ends, however it ends. */
    public void start(Journey journey, Runnable whenDone) {
        Running running = new Running(journey, whenDone);
        active.add(running);
        started.incrementAndGet();
        schedule(running, Duration.ZERO);
    }

    private void schedule(Running running, Duration pause) {
        try {
            workers.schedule(running, Math.max(0, pause.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            abandon(running, null);
        }
    }

    private void abandon(Running running, Throwable cause) {
        if (running.done.compareAndSet(false, true)) {
            try {
                running.journey.abandon(cause);
            } finally {
                release(running);
            }
        }
    }

    private void end(Running running) {
        if (running.done.compareAndSet(false, true)) {
            release(running);
        }
    }

    private void release(Running running) {
        active.remove(running);
        running.whenDone.run();
    }

    public int active() {
        return active.size();
    }

    public long started() {
        return started.get();
    }

    /** Waits until no journey is running, at most {@code timeout}; true when none is. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!active.isEmpty()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Stops every worker and abandons the journeys that have not finished. */
    @Override
    public void close() {
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(15, TimeUnit.SECONDS)) {
                log.warn("simulated users still busy after 15 s; abandoning them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Running running : Set.copyOf(active)) {
            abandon(running, null);
        }
    }
}
