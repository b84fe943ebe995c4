package io.flowgate.simulator.load;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * New users arriving at a steady rate (an open workload: arrivals do not wait for earlier users to
 * finish, as on the real platform), for a bounded time or until closed. Arrivals happen on one thread,
 * in order, so a seeded run makes the same users in the same order.
 */
public final class Arrivals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Arrivals.class);
    private static final long TICK_MILLIS = 20;

    private final double perSecond;
    private final Duration duration;
    private final Runnable arrive;
    private final ScheduledExecutorService ticker;
    private final CountDownLatch finished = new CountDownLatch(1);
    private long startedNanos;
    private long arrived;

    /**
     * @param perSecond users arriving per second
     * @param duration  how long users arrive; null for as long as the arrivals are open
     * @param arrive    makes one user arrive
     */
    public Arrivals(double perSecond, Duration duration, Runnable arrive) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("arrival rate must be positive");
        }
        this.perSecond = perSecond;
        this.duration = duration;
        this.arrive = arrive;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulator-arrivals");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        startedNanos = System.nanoTime();
        ticker.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            double elapsed = (System.nanoTime() - startedNanos) / 1e9;
            boolean over = duration != null && elapsed >= duration.toNanos() / 1e9;
            double until = over ? duration.toNanos() / 1e9 : elapsed;
            long due = (long) Math.floor(until * perSecond);
            // after a stall (a loaded machine), catch up by at most one second's worth per tick, not in
            // one burst; the last tick makes every arrival still due, so a run has exactly rate x duration
            long limit = over ? Long.MAX_VALUE : Math.max(1, (long) Math.ceil(perSecond));
            for (long i = 0; arrived < due && i < limit; i++) {
                arrived++;
                arrive.run();
            }
            if (over) {
                finished.countDown();
                ticker.shutdown();
            }
        } catch (RuntimeException e) {
            // an exception would silently cancel the schedule: no more arrivals, and nobody would know
            log.warn("an arrival failed", e);
        }
    }

    /** Waits until the arrival time is over; false on timeout. Open-ended arrivals never finish by themselves. */
    public boolean await(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        finished.countDown();
    }
}
