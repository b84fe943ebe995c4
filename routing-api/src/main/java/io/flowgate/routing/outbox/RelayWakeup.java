package io.flowgate.routing.outbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes the outbox relay (on whichever instance holds the relay role) a moment after a transaction that
 * appended events commits, so publication takes milliseconds instead of a poll interval.
 *
 * <p>The {@code NOTIFY} is sent after the commit, from its own short statement, rather than inside the
 * business transaction: PostgreSQL serializes the commits of all transactions that notify through one
 * database-wide lock held until their commit is flushed, which would cap the Flow endpoint at one commit
 * per disk flush. Here at most one {@code NOTIFY} is in flight; every commit that happens meanwhile is
 * covered by the next one. If a wake-up is lost (a crash right after the commit) the relay's poll finds
 * the rows anyway.
 *
 * <p>After each {@code NOTIFY} the notifier pauses {@link #PAUSE} before the next one. Without the pause a stream
 * of commits sent about one {@code NOTIFY} for every two transitions (0.44-0.47 per transition measured), each a
 * transaction of its own that wakes every backend listening in the database (the relay's, the change
 * listener's) and the relay for a small batch (docs/benchmarks.md, "data_exchange: PostgreSQL's share of the
 * floor"); with it, at most one per {@link #PAUSE} per instance. The pause delays a wake-up by at most
 * {@link #PAUSE}; a commit during it is still covered by the {@code NOTIFY} after it.
 */
@Component
class RelayWakeup implements DisposableBean {

    static final String CHANNEL = "flowgate_outbox";
    /** The least time between two wake-ups from this instance: how long a commit may wait for the relay to hear of it. */
    static final Duration PAUSE = Duration.ofMillis(10);

    private static final Logger log = LoggerFactory.getLogger(RelayWakeup.class);

    private final DataSource dataSource;
    private final AtomicBoolean pending = new AtomicBoolean();
    // the pending flag keeps at most one NOTIFY queued behind the one running
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "flowgate-outbox-wakeup");
        t.setDaemon(true);
        return t;
    });
    private final long pauseNanos;
    private volatile boolean failing;

    @Autowired
    RelayWakeup(DataSource dataSource) {
        this(dataSource, PAUSE);
    }

    RelayWakeup(DataSource dataSource, Duration pause) {
        this.dataSource = dataSource;
        this.pauseNanos = pause.toNanos();
    }

    /** Arranges one wake-up after the current transaction commits (once, however many events it appends). */
    void afterCommit() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            return; // no commit to hook into: the relay's poll finds the rows
        }
        for (TransactionSynchronization registered : TransactionSynchronizationManager.getSynchronizations()) {
            if (registered instanceof WakeAfterCommit) {
                return;
            }
        }
        TransactionSynchronizationManager.registerSynchronization(new WakeAfterCommit());
    }

    private final class WakeAfterCommit implements TransactionSynchronization {
        @Override
        public void afterCommit() {
            wake();
        }
    }

    /** Asks for a wake-up without blocking; coalesces with one already queued. */
    void wake() {
        if (pending.compareAndSet(false, true)) {
            try {
                notifier.execute(() -> {
                    sendNotify();
                    // the commits of the pause are covered by the NOTIFY queued behind this one
                    LockSupport.parkNanos(pauseNanos);
                });
            } catch (RejectedExecutionException shuttingDown) {
                pending.set(false);
            }
        }
    }

    /** Sends a wake-up now, on the calling thread (used on shutdown to end the relay's wait). */
    void wakeNow() {
        sendNotify();
    }

    private void sendNotify() {
        // cleared first: a commit that lands while this NOTIFY runs queues the next one
        pending.set(false);
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_notify('" + CHANNEL + "', '')");
            if (!c.getAutoCommit()) {
                c.commit();
            }
            if (failing) {
                failing = false;
                log.info("outbox wake-ups are delivered again");
            }
        } catch (SQLException e) {
            if (!failing) {
                failing = true;
                log.warn("cannot wake the outbox relay ({}); it finds the events at its next poll", e.getMessage());
            }
        }
    }

    @Override
    public void destroy() {
        notifier.shutdownNow();
    }
}
