package io.flowgate.routing.system.worker;

import org.slf4j.Logger;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

import java.time.Duration;

/**
 * The skeleton of routing-api's background loops (the outbox relay, the Kafka consumers, the WhatsApp
 * sender, the webhook worker, the change listener, the Kafka watch, the housekeeping rounds): one named
 * daemon thread, started and stopped with the application ({@link SmartLifecycle}), that calls
 * {@link #step()} over and over.
 *
 * <ul>
 *   <li>A step says what it did ({@link Step}): it worked (the next step follows at once), it found nothing to
 *       do (the thread waits {@code idle}, or what the step asked for, or until {@link #wake()}), or it failed
 *       (a {@link Step#failed} or any exception it threw: the thread waits with Spring's
 *       {@link ExponentialBackOff}, from {@code minBackoff} doubling up to {@code maxBackoff}). No exception ends
 *       the thread: a background loop that died would leave its work undone until a restart.</li>
 *   <li>A failing streak is logged once, at its start ({@link #failureMessage}), and once at its end
 *       ({@link #recoveryMessage}, with the number of failures and how long it lasted); the backoff starts over
 *       after a step that did not fail.</li>
 *   <li>{@link #stop()} ends a wait at once; a step in progress is asked to return ({@link #unblock()}) and
 *       given {@code stopGrace}, then {@link #abandon()}ed and given as long again.</li>
 * </ul>
 * A subclass keeps only what it does: its step, its messages, and what to close.
 */
public abstract class Worker implements SmartLifecycle {

    /** What one step did. */
    public static final class Step {

        /** Did some work: the next step follows without a wait. */
        public static final Step WORKED = new Step(null, null);
        /** Nothing to do: wait the worker's idle interval, or until woken. */
        public static final Step IDLE = new Step(null, null);

        private final Duration wait;
        private final Throwable failure;

        private Step(Duration wait, Throwable failure) {
            this.wait = wait;
            this.failure = failure;
        }

        /** Nothing to do for {@code wait} (unless woken earlier). */
        public static Step idleFor(Duration wait) {
            return new Step(wait, null);
        }

        /** Failed without an exception escaping (a batch not acknowledged, a record to try again): back off. */
        public static Step failed(Throwable cause) {
            return new Step(null, cause);
        }

        boolean isFailure() {
            return failure != null;
        }
    }

    private final String threadName;
    private final Logger log;
    private final Duration idle;
    private final ExponentialBackOff backOff;
    private final Duration stopGrace;
    private final Object signal = new Object();

    private volatile boolean running;
    private boolean wakeRequested; // guarded by signal
    private Thread thread;

    // worker thread only
    private BackOffExecution backOffExecution;
    private int failures;
    private long failingSinceNanos;
    private boolean warned;

    /**
     * @param threadName the thread's name ({@code flowgate-...}), as thread dumps and the logs show it
     * @param log        the logger of the subclass: the warnings and recovery lines are its own
     * @param idle       the wait after a step that found nothing to do
     * @param minBackoff the wait after a step's first failure, doubled after each further one
     * @param maxBackoff the longest wait after a failure
     * @param stopGrace  how long {@link #stop()} waits for a step in progress, before and after {@link #abandon()}
     */
    protected Worker(String threadName, Logger log, Duration idle, Duration minBackoff, Duration maxBackoff, Duration stopGrace) {
        this.threadName = threadName;
        this.log = log;
        this.idle = idle;
        this.backOff = new ExponentialBackOff(Math.max(1, minBackoff.toMillis()), 2);
        this.backOff.setMaxInterval(Math.max(1, maxBackoff.toMillis()));
        this.stopGrace = stopGrace;
    }

    /** One round of the loop, on the worker thread. */
    protected abstract Step step() throws Exception;

    /**
     * The warning for the start of a failing streak (logged once). Say what fails and what that means for the
     * work; the skeleton adds that it retries, and up to which wait.
     */
    protected abstract String failureMessage(Throwable cause);

    /** The line for the end of a failing streak (logged once); the skeleton adds the number of failures and the time. */
    protected abstract String recoveryMessage();

    /**
     * Whether this failure is worth the streak's warning (default: yes). A failure already reported elsewhere
     * (Kafka away, a record the subclass logged) is logged at debug level only and backed off just the same;
     * the streak's warning, and then its recovery line, come with its first failure that is worth one.
     */
    protected boolean worthWarning(Throwable cause) {
        return true;
    }

    /**
     * Whether this failure is a bug rather than something outside gone away (default: not an expected
     * kind); its warning then carries the stack trace.
     */
    protected boolean isBug(Throwable cause) {
        return false;
    }

    /** The wait before the first step (default: none). */
    protected Duration firstDelay() {
        return Duration.ZERO;
    }

    /**
     * Called by {@link #start()}: whether the thread is to be started at all (default: yes), and the moment to set
     * up what only a started worker uses; when not, {@link #isRunning()} is still true.
     */
    protected boolean enabled() {
        return true;
    }

    /** Called by {@link #stop()} on the stopping thread to make a blocked step return (close a socket, wake a client). */
    protected void unblock() {
    }

    /** Called by {@link #stop()} when a step did not return within the grace period: give its work up. */
    protected void abandon() {
    }

    /** Called on the worker thread once the loop has ended: close what the steps opened. */
    protected void stopped() {
    }

    @Override
    public synchronized void start() {
        running = true;
        if (!enabled()) {
            return;
        }
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        wake();
        if (thread == null) {
            return;
        }
        unblock();
        join(stopGrace);
        if (thread.isAlive()) {
            abandon();
            join(stopGrace);
        }
        thread = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Whether the worker is to go on (false once {@link #stop()} began): a long step checks it between its parts. */
    protected final boolean running() {
        return running;
    }

    /** Ends the worker's current wait at once, or makes its next one return at once (thread-safe, never blocks). */
    public final void wake() {
        synchronized (signal) {
            wakeRequested = true;
            signal.notifyAll();
        }
    }

    /** Interrupts the worker thread (for {@link #unblock()} when the step blocks in an interruptible call). */
    protected final void interruptThread() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /**
     * Waits up to {@code duration}, returning early on {@link #wake()} or {@link #stop()}; for a step that waits
     * inside itself. False when the worker is stopping.
     */
    protected final boolean pause(Duration duration) {
        synchronized (signal) {
            long deadline = System.nanoTime() + duration.toNanos();
            while (running && !wakeRequested) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    signal.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    // a stop interrupts; otherwise nothing to do but look again
                    if (!running) {
                        break;
                    }
                }
            }
            wakeRequested = false;
        }
        return running;
    }

    private void run() {
        try {
            pause(firstDelay());
            while (running) {
                Step step;
                try {
                    step = step();
                } catch (InterruptedException e) {
                    Thread.interrupted(); // cleared: the loop decides, by running, whether to end
                    step = Step.failed(e);
                } catch (Exception | LinkageError | AssertionError e) {
                    step = Step.failed(e);
                }
                if (!running) {
                    break;
                }
                if (step.isFailure()) {
                    pause(failed(step.failure));
                } else {
                    recovered();
                    if (step != Step.WORKED) {
                        pause(step.wait == null ? idle : step.wait);
                    }
                }
            }
        } finally {
            stopped();
        }
    }

    private Duration failed(Throwable cause) {
        if (backOffExecution == null) {
            backOffExecution = backOff.start();
            failingSinceNanos = System.nanoTime();
        }
        failures++;
        long wait = backOffExecution.nextBackOff();
        if (wait == BackOffExecution.STOP) {
            wait = backOff.getMaxInterval();
        }
        if (!warned && worthWarning(cause)) {
            warned = true;
            String message = failureMessage(cause) + "; retrying with backoff up to " + Duration.ofMillis(backOff.getMaxInterval()).toSeconds() + " s";
            if (isBug(cause)) {
                log.error(message, cause);
            } else {
                log.warn(message);
            }
        } else {
            log.debug("{} failed again ({}); next try in {} ms", threadName, cause.toString(), wait);
        }
        backingOff(Duration.ofMillis(wait));
        return Duration.ofMillis(wait);
    }

    /** The wait after a failure, as the backoff chose it (seen by the skeleton's own test). */
    void backingOff(Duration wait) {
    }

    private void recovered() {
        if (backOffExecution == null) {
            return;
        }
        long seconds = (System.nanoTime() - failingSinceNanos) / 1_000_000_000;
        if (warned) {
            log.info("{} after {} failure(s) in {} s", recoveryMessage(), failures, seconds);
        } else {
            log.debug("{} after {} failure(s) in {} s", recoveryMessage(), failures, seconds);
        }
        backOffExecution = null;
        failures = 0;
        warned = false;
    }

    private void join(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
