package io.flowgate.routing.system;

import io.flowgate.routing.system.worker.Worker;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
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
 * replaced with backoff ({@link Worker}). After every (re)connection every cache is dropped ({@link #ALL}), since
 * notifications may have been missed meanwhile.
 */
@Component
public class ChangeListener extends Worker {

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
    private volatile Connection connection;
    private long nextCheckNanos; // worker thread only

    ChangeListener(DataSourceProperties database) {
        super("flowgate-change-listener", log, Duration.ZERO, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(5));
        this.database = database;
    }

    public void subscribe(Consumer<Change> subscriber) {
        subscribers.add(subscriber);
    }

    @Override
    protected Step step() throws SQLException {
        try {
            Connection c = connection;
            if (c == null) {
                c = connect();
                connection = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                // anything may have changed while we were not listening
                publish(new Change(ALL, ""));
                nextCheckNanos = System.nanoTime() + CHECK_EVERY.toNanos();
                return Step.WORKED;
            }
            PGNotification[] notifications = c.unwrap(PGConnection.class).getNotifications((int) WAIT_FOR_NOTIFICATIONS.toMillis());
            if (notifications != null) {
                for (PGNotification n : notifications) {
                    publish(Change.parse(n.getParameter()));
                }
            }
            if (System.nanoTime() - nextCheckNanos >= 0) {
                // a silent connection may be a dead one: only a round trip tells
                if (!c.isValid((int) CHECK_TIMEOUT.toSeconds())) {
                    throw new SQLException("the LISTEN connection did not answer a check within " + CHECK_TIMEOUT.toSeconds() + " s");
                }
                nextCheckNanos = System.nanoTime() + CHECK_EVERY.toNanos();
            }
            return Step.WORKED;
        } catch (SQLException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    @Override
    protected String failureMessage(Throwable cause) {
        return "not listening for routing changes (" + cause.getMessage() + "); caches expire on their own until then";
    }

    @Override
    protected String recoveryMessage() {
        return "listening for routing changes again; every cache was dropped";
    }

    @Override
    protected void unblock() {
        interruptThread();
        closeQuietly();
    }

    @Override
    protected void stopped() {
        closeQuietly();
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
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing to unblock the listener thread; nothing else to do
            }
        }
    }
}
