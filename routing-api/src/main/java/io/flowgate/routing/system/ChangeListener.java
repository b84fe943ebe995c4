package io.flowgate.routing.system;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Listens on PostgreSQL channel {@code flowgate_changes}, where triggers announce every change to a
 * cached table as {@code table:key}, and tells the caches. This is what makes a changed rule or
 * routing-table row take effect on every routing-api instance within milliseconds, without a restart.
 * After a lost connection every cache is dropped ({@link #ALL}), since notifications may have been missed.
 */
@Component
public class ChangeListener implements SmartLifecycle {

    /** The table name of the change sent after a reconnect: drop everything. */
    public static final String ALL = "*";
    static final String CHANNEL = "flowgate_changes";
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
        boolean warned = false;
        while (running) {
            try (Connection c = DriverManager.getConnection(database.determineUrl(), database.determineUsername(),
                    database.determinePassword())) {
                connection = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                // anything may have changed while we were not listening
                publish(new Change(ALL, ""));
                if (warned) {
                    log.info("listening for routing changes again");
                    warned = false;
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1_000);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            publish(Change.parse(n.getParameter()));
                        }
                    }
                }
            } catch (SQLException e) {
                if (running && !warned) {
                    log.warn("not listening for routing changes ({}); caches expire on their own until it recovers", e.getMessage());
                    warned = true;
                }
                sleep();
            } finally {
                connection = null;
            }
        }
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

    private static void sleep() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
