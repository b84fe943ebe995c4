package io.flowgate.dashboards;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The built-in analytics dashboard: one page with live charts over the tables the Flink jobs write
 * ({@code screen_dropoff}, {@code endpoint_latency}, {@code latency_alerts}, {@code stale_sessions},
 * {@code lead_scores}, {@code hot_inventory}) and the read-only JSON it draws them from.
 *
 * <p>It exists so that the embedded run shows analysts and ops their numbers on localhost without
 * Grafana; the docker-compose stack shows the same views in Grafana. It is the JDK's HTTP server and
 * a small connection pool, nothing more, because the launcher runs it in the same JVM as everything
 * else. Everything it serves (page, script, Chart.js) comes from the jar: no network at run time.
 *
 * <pre>{@code
 * Dashboard dashboard = Dashboard.start(8090, dataSource);   // or (8090, jdbcUrl, user, password)
 * System.out.println("Dashboard " + dashboard.uri());        // http://localhost:8090/
 * ...
 * dashboard.close();
 * }</pre>
 */
public final class Dashboard implements AutoCloseable {

    /** The port of the stand-alone main when {@code DASHBOARD_PORT} is not set. */
    public static final int DEFAULT_PORT = 8090;

    // a dashboard has a handful of viewers; more threads would only queue more work on the database
    private static final int WORKER_THREADS = 4;
    private static final int QUEUED_REQUESTS = 64;

    private final HttpServer server;
    private final ThreadPoolExecutor workers;
    private final AutoCloseable ownedPool;
    private final URI uri;

    private Dashboard(HttpServer server, ThreadPoolExecutor workers, AutoCloseable ownedPool) {
        this.server = server;
        this.workers = workers;
        this.ownedPool = ownedPool;
        InetSocketAddress address = server.getAddress();
        InetAddress bound = address.getAddress();
        String host = bound.isAnyLocalAddress() || bound.isLoopbackAddress() ? "localhost" : address.getHostString();
        this.uri = URI.create("http://" + host + ":" + address.getPort() + "/");
    }

    /**
     * Serves the dashboard on {@code localhost:port} (0: a free port) over the given database, which
     * must hold the analytics tables ({@code FlowgateSchema.migrate}). The caller keeps owning the
     * data source; the dashboard only reads through it.
     */
    public static Dashboard start(int port, DataSource dataSource) {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), dataSource);
    }

    /** Serves the dashboard on the given address, e.g. {@code 0.0.0.0} inside a container. */
    public static Dashboard start(InetSocketAddress address, DataSource dataSource) {
        return start(address, dataSource, null, List.of());
    }

    /**
     * Serves the dashboard on {@code localhost:port} over a PostgreSQL database of its own small pool,
     * closed with the dashboard.
     */
    public static Dashboard start(int port, String jdbcUrl, String user, String password) {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), jdbcUrl, user, password);
    }

    /** As {@link #start(int, String, String, String)}, on the given address. */
    public static Dashboard start(InetSocketAddress address, String jdbcUrl, String user, String password) {
        return start(address, jdbcUrl, user, password, List.of());
    }

    /**
     * As {@link #start(InetSocketAddress, String, String, String)}, answering also to the given host names
     * (a {@code DASHBOARD_ALLOWED_HOSTS} value, see {@link #allowedHosts(String)}). Requests naming any
     * other host in {@code Host} are refused, so that a DNS-rebinding page cannot read the dashboard.
     */
    public static Dashboard start(InetSocketAddress address, String jdbcUrl, String user, String password,
                                  List<String> allowedHosts) {
        HikariDataSource pool = pool(jdbcUrl, user, password);
        try {
            return start(address, pool, pool, allowedHosts);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static Dashboard start(InetSocketAddress address, DataSource dataSource, AutoCloseable ownedPool,
                                   List<String> allowedHosts) {
        AllowedHosts hosts = new AllowedHosts(address, allowedHosts);
        ThreadPoolExecutor workers = workers();
        try {
            HttpServer server = HttpServer.create(address, QUEUED_REQUESTS);
            server.setExecutor(workers);
            server.createContext("/api/", new ApiHandler(new AnalyticsQueries(dataSource))).getFilters().add(hosts);
            server.createContext("/", new StaticAssets()).getFilters().add(hosts);
            server.start();
            Dashboard dashboard = new Dashboard(server, workers, ownedPool);
            log().info("dashboard on {}", dashboard.uri());
            return dashboard;
        } catch (IOException e) {
            workers.shutdownNow();
            throw new UncheckedIOException("dashboard cannot listen on " + address, e);
        }
    }

    /** Where the page is, e.g. {@code http://localhost:8090/}. */
    public URI uri() {
        return uri;
    }

    /** Stops answering (requests in progress get a second to finish) and closes its own pool, if any. */
    @Override
    public void close() {
        server.stop(1);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (ownedPool != null) {
            try {
                ownedPool.close();
            } catch (Exception e) {
                log().warn("dashboard database pool did not close cleanly: {}", e.toString());
            }
        }
    }

    /**
     * The host names of a {@code DASHBOARD_ALLOWED_HOSTS} value (comma-separated), which the dashboard
     * answers to besides {@code localhost}, {@code 127.0.0.1}, {@code [::1]} and the address it listens on.
     */
    public static List<String> allowedHosts(String setting) {
        return AllowedHosts.parse(setting);
    }

    /**
     * Stand-alone: {@code FLOWGATE_DB_URL}, {@code FLOWGATE_DB_USER}, {@code FLOWGATE_DB_PASSWORD} (as
     * the APIs), {@code DASHBOARD_PORT} (default 8090), {@code DASHBOARD_HOST} (default
     * {@code 127.0.0.1}; {@code 0.0.0.0} in a container) and {@code DASHBOARD_ALLOWED_HOSTS}. Runs until
     * the JVM is stopped.
     */
    public static void main(String[] args) throws InterruptedException {
        // before the first logger exists: the stand-alone jar logs INFO, not Logback's unconfigured DEBUG
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/flowgate/dashboards/logback-standalone.xml");
        }
        Map<String, String> env = System.getenv();
        String url = env.getOrDefault("FLOWGATE_DB_URL", "jdbc:postgresql://localhost:5432/flowgate");
        String user = env.getOrDefault("FLOWGATE_DB_USER", "postgres");
        String password = env.getOrDefault("FLOWGATE_DB_PASSWORD", "");
        int port = port(env.get("DASHBOARD_PORT"));
        String host = env.getOrDefault("DASHBOARD_HOST", "127.0.0.1");
        Dashboard dashboard = start(new InetSocketAddress(host, port), url, user, password,
                allowedHosts(env.get("DASHBOARD_ALLOWED_HOSTS")));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dashboard.close();
            stopped.countDown();
        }, "dashboard-stop"));
        stopped.await();
    }

    // looked up when used, so that main() can choose the logging configuration first
    private static Logger log() {
        return LoggerFactory.getLogger(Dashboard.class);
    }

    static int port(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_PORT;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below with the value, which is not a secret
        }
        throw new IllegalArgumentException("DASHBOARD_PORT must be a port number (0-65535), was: " + value);
    }

    private static HikariDataSource pool(String jdbcUrl, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password == null ? "" : password);
        config.setPoolName("flowgate-dashboard");
        config.setMaximumPoolSize(WORKER_THREADS);
        config.setMinimumIdle(1);
        config.setReadOnly(true);
        config.setConnectionTimeout(3_000);
        // the pool starts even while PostgreSQL is still coming up; the page says so until it answers
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    private static ThreadPoolExecutor workers() {
        AtomicInteger counter = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(WORKER_THREADS, WORKER_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_REQUESTS), runnable -> {
                    Thread thread = new Thread(runnable, "dashboard-http-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                // a full queue slows the accepting thread down instead of dropping a request unanswered
                new ThreadPoolExecutor.CallerRunsPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
