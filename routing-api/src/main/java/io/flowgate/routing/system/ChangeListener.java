package io.flowgate.routing.system;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Listens on PostgreSQL channel {@code flowgate_changes}, where triggers announce every change to a
 * cached table as {@code table:key}, and tells the caches. This is what makes a changed rule or
 * routing-table row take effect on every routing-api instance within milliseconds, without a restart.
 *
 * <p>A LISTEN connection that silently stops delivering (a server that vanished, a firewall that dropped
 * the idle TCP connection: nothing arrives, and no error either) would leave the caches stale until their
 * TTL. So between two waits for notifications the connection is checked with a round trip bounded by
 * {@link #CHECK_TIMEOUT} at least every {@link #CHECK_EVERY}; a connection that fails it, or breaks, is
 * replaced with backoff. After every (re)connection every cache is dropped ({@link #ALL}), since
 * notifications may have been missed meanwhile.
 */
@Component
public class ChangeListener implements SmartLifecycle {

    /** The table name of the change sent after a reconnect: drop everything. */
    public static final String ALL = "*";
    static final String CHANNEL = "flowgate_changes";
    /** {@code application_name} of the LISTEN connection, to find it in {@code pg_stat_activity}. */
    static final String APPLICATION_NAME = "flowgate-change-listener";
    static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration WAIT_FOR_NOTIFICATIONS = Duration.ofMillis(500);
    private static final Logger log = LoggerFactory.getLogger(ChangeListener.class);

    /** One announced change. */
    public record Change(String table, String key) {
        static Change parse(String payload) {
            int colon = payload.indexOf(':');
            return colon < 0 ? new Change(payload, "") : new Change(payload.substring(0, colon), payload.substring(colon + 1));
        }
    }

    private final DataSourceProperties database;
    private final List<Consumer<Change>> subscribers = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private volatile Connection connection;
    private Thread thread;

    ChangeListener(DataSourceProperties database) {
        this.database = database;
    }

    public void subscribe(Consumer<Change> subscriber) {
        subscribers.add(subscriber);
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = new Thread(this::listen, "flowgate-change-listener");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        closeQuietly();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        long lostAtNanos = -1;
        while (running) {
            try (Connection c = connect()) {
                connection = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                // anything may have changed while we were not listening
                publish(new Change(ALL, ""));
                backoff.reset();
                if (lostAtNanos >= 0) {
                    log.info("listening for routing changes again after {} ms; every cache was dropped",
                            (System.nanoTime() - lostAtNanos) / 1_000_000);
                    lostAtNanos = -1;
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                long nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications((int) WAIT_FOR_NOTIFICATIONS.toMillis());
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            publish(Change.parse(n.getParameter()));
                        }
                    }
                    if (System.nanoTime() - nextCheck >= 0) {
                        // a silent connection may be a dead one: only a round trip tells
                        if (!c.isValid((int) CHECK_TIMEOUT.toSeconds())) {
                            throw new SQLException("the LISTEN connection did not answer a check within " + CHECK_TIMEOUT.toSeconds() + " s");
                        }
                        nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
                    }
                }
            } catch (SQLException e) {
                if (running && lostAtNanos < 0) {
                    lostAtNanos = System.nanoTime();
                    log.warn("not listening for routing changes ({}); reconnecting with backoff, caches expire on their "
                            + "own until then", e.getMessage());
                }
                pause(backoff.next());
            } finally {
                connection = null;
            }
        }
    }

    private Connection connect() throws SQLException {
        // the socket timeout is a backstop for any read: longer than the wait for notifications and the check
        return DedicatedConnection.open(database, APPLICATION_NAME, 30);
    }

    private void publish(Change change) {
        for (Consumer<Change> s : subscribers) {
            try {
                s.accept(change);
            } catch (RuntimeException e) {
                log.warn("cache invalidation for {} failed: {}", change, e.toString());
            }
        }
    }

    private void closeQuietly() {
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing to unblock the listener thread; nothing else to do
            }
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
