package io.flowgate.routing.system;

import io.flowgate.embedded.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The LISTEN connection behind the rule and routing-table caches survives being cut: killed by the
 * server ({@code pg_terminate_backend}) or gone silent without an error (a half-open TCP connection,
 * made here by a proxy that stops forwarding), the listener reconnects, drops every cache and hears the
 * next change.
 */
class ChangeListenerReconnectTest {

    /** A liveness bound, not a timing assertion: detection and reconnection take a few seconds at most. */
    private static final int ARRIVES_WITHIN_SECONDS = 15;

    private static EmbeddedPostgresServer pg;
    private static String dbUrl;

    private final List<ChangeListener.Change> heard = new CopyOnWriteArrayList<>();
    private ChangeListener listener;
    private BlackholeProxy proxy;

    @BeforeAll
    static void database() {
        pg = EmbeddedPostgresServer.shared();
        dbUrl = pg.newDatabase("listener");
    }

    @BeforeEach
    void startProxy() throws IOException {
        proxy = new BlackholeProxy(pg.port());
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.stop();
        }
        proxy.close();
    }

    @Test
    void aTerminatedBackendIsReplacedAndTheNextChangeArrives() throws Exception {
        start(dbUrl);
        int killed = listenerBackend();
        try (Connection c = admin(); PreparedStatement st = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            st.setInt(1, killed);
            st.execute();
        }
        heard.clear();
        // a change while the listener may still be reconnecting: its own notification or the drop-everything covers it
        notifyChange("rules:during");
        await().atMost(ARRIVES_WITHIN_SECONDS, TimeUnit.SECONDS).until(() -> heard.contains(change("rules:during"))
                || heard.contains(new ChangeListener.Change(ChangeListener.ALL, "")));
        await().atMost(ARRIVES_WITHIN_SECONDS, TimeUnit.SECONDS).until(() -> listenerBackendOrZero() != 0);
        assertThat(listenerBackend()).isNotEqualTo(killed);
        notifyChange("routing_table_rows:after");
        await().atMost(ARRIVES_WITHIN_SECONDS, TimeUnit.SECONDS).until(() -> heard.contains(change("routing_table_rows:after")));
    }

    @Test
    void aConnectionThatGoesSilentIsDetectedAndTheCachesAreDropped() throws Exception {
        start(dbUrl.replace(":" + pg.port() + "/", ":" + proxy.port() + "/"));
        int silenced = listenerBackend();
        proxy.blackholeExistingConnections();
        heard.clear();
        notifyChange("rules:while-silent");
        // the notification itself is lost with the silent connection; the reconnection drops every cache
        await().atMost(ARRIVES_WITHIN_SECONDS, TimeUnit.SECONDS)
                .until(() -> heard.contains(new ChangeListener.Change(ChangeListener.ALL, "")));
        await().atMost(ARRIVES_WITHIN_SECONDS, TimeUnit.SECONDS)
                .until(() -> listenerBackendOrZero() != 0 && listenerBackendOrZero() != silenced);
        notifyChange("rules:after");
        await().atMost(ARRIVES_WITHIN_SECONDS, TimeUnit.SECONDS).until(() -> heard.contains(change("rules:after")));
    }

    private void start(String url) throws SQLException {
        DataSourceProperties database = new DataSourceProperties();
        database.setUrl(url);
        database.setUsername(pg.user());
        database.setPassword(pg.password());
        listener = new ChangeListener(database);
        listener.subscribe(heard::add);
        listener.start();
        await().atMost(ARRIVES_WITHIN_SECONDS, TimeUnit.SECONDS).until(() -> listenerBackendOrZero() != 0);
        // listening: a change now is heard
        notifyChange("rules:first");
        await().atMost(ARRIVES_WITHIN_SECONDS, TimeUnit.SECONDS).until(() -> heard.contains(change("rules:first")));
    }

    private static ChangeListener.Change change(String payload) {
        return ChangeListener.Change.parse(payload);
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(dbUrl, pg.user(), pg.password());
    }

    private static void notifyChange(String payload) throws SQLException {
        try (Connection c = admin(); PreparedStatement st = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            st.setString(1, ChangeListener.CHANNEL);
            st.setString(2, payload);
            st.execute();
        }
    }

    private static int listenerBackend() throws SQLException {
        int pid = listenerBackendOrZero();
        assertThat(pid).as("the listener's backend in pg_stat_activity").isNotZero();
        return pid;
    }

    /** The pid of the listener's backend that is listening, 0 when there is none. */
    private static int listenerBackendOrZero() throws SQLException {
        try (Connection c = admin(); PreparedStatement st = c.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE application_name = ? AND datname = current_database() ORDER BY backend_start DESC LIMIT 1")) {
            st.setString(1, ChangeListener.APPLICATION_NAME);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /**
     * A TCP proxy to PostgreSQL that can make the connections it carries go silent: bytes are read and
     * dropped in both directions, the sockets stay open, as with a peer that vanished without a FIN or a
     * firewall that forgot the connection. Connections opened afterwards are carried normally.
     */
    private static final class BlackholeProxy implements AutoCloseable {
        private final ServerSocket server;
        private final int target;
        private final List<AtomicBoolean> open = new CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        BlackholeProxy(int target) throws IOException {
            this.target = target;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "blackhole-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void blackholeExistingConnections() {
            List<AtomicBoolean> current = new ArrayList<>(open);
            current.forEach(forwarding -> forwarding.set(false));
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(upstream);
                    AtomicBoolean forwarding = new AtomicBoolean(true);
                    open.add(forwarding);
                    pump(client, upstream, forwarding);
                    pump(upstream, client, forwarding);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void pump(Socket from, Socket to, AtomicBoolean forwarding) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream()) {
                    OutputStream out = to.getOutputStream();
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        if (forwarding.get()) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                    if (forwarding.get()) {
                        to.shutdownOutput();
                    }
                } catch (IOException ignored) {
                    // the other side closed
                }
            }, "blackhole-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
