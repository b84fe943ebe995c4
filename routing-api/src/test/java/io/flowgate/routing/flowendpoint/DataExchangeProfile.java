package io.flowgate.routing.flowendpoint;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import io.flowgate.testkit.TestKeys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a {@code data_exchange} transition's time goes (issue 12, docs/profiles/README.md). Starts
 * routing-api from its built jar (as {@link EndpointBenchmark} does) against an embedded PostgreSQL 15 with
 * {@code pg_stat_statements} preloaded and an in-process Kafka broker (so the outbox relay publishes and
 * deletes, as in production), then drives the example Flow's first screen with fresh sessions (one
 * distinct transition per request) from 16 closed-loop clients:
 * <ol>
 *   <li>an unprofiled phase of a fixed number of transitions: statements per transition
 *       ({@code pg_stat_statements}, relay included, after the relay has drained the outbox), WAL bytes
 *       per transition ({@code pg_wal_lsn_diff}), and CPU time per transition of the routing-api process
 *       and of all PostgreSQL processes ({@code /proc/<pid>/stat});</li>
 *   <li>a CPU profile and then an allocation profile: async-profiler loaded into the running server with
 *       {@code jcmd <pid> JVMTI.agent_load}, written as HTML flame graphs and collapsed stacks.</li>
 * </ol>
 * Only proportions and per-transition counts are meant to be read from it: the machine is shared.
 *
 * <pre>
 * ./mvnw -q -B -pl routing-api -am package -DskipTests
 * unzip -o -j ~/.m2/repository/tools/profiler/async-profiler/2.9/async-profiler-2.9.jar linux-x64/libasyncProfiler.so -d /tmp/ap
 * ./mvnw -q -B -pl routing-api -am test-compile exec:java -Dexec.skip=true ... (see docs/profiles/README.md)
 * </pre>
 * System properties: {@code profile.lib} (libasyncProfiler.so, required), {@code profile.out} (output
 * directory, default {@code docs/profiles}), {@code profile.transitions} (counted phase, 3000),
 * {@code profile.cpuSeconds} (30), {@code profile.allocSeconds} (20), {@code profile.warmupSeconds} (60), {@code profile.env} (extra environment of the server, {@code NAME=value,…}).
 */
public final class DataExchangeProfile {

    private static final int CLIENTS = 16;
    private static final String XACT_COMMIT = "SELECT xact_commit FROM pg_stat_database WHERE datname = 'bench'";

    private DataExchangeProfile() {
    }

    public static void main(String[] args) throws Exception {
        String lib = System.getProperty("profile.lib");
        if (lib == null || !Files.isRegularFile(Path.of(lib))) {
            throw new IllegalArgumentException("-Dprofile.lib=<path of libasyncProfiler.so> is required");
        }
        Path out = Path.of(System.getProperty("profile.out", "docs/profiles")).toAbsolutePath();
        Files.createDirectories(out);
        int transitions = Integer.getInteger("profile.transitions", 3000);
        int cpuSeconds = Integer.getInteger("profile.cpuSeconds", 30);
        int allocSeconds = Integer.getInteger("profile.allocSeconds", 20);
        int warmupSeconds = Integer.getInteger("profile.warmupSeconds", 60);

        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "300")
                .setServerConfig("shared_buffers", "128MB")
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all")
                .setServerConfig("pg_stat_statements.track_utility", "on")
                .start();
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(4);
        String admin = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE bench");
        }
        String db = "jdbc:postgresql://localhost:" + pg.getPort() + "/bench";
        KeyPair keys = TestKeys.generate();
        Path dir = Files.createTempDirectory("flowgate-profile-");
        Path pem = TestKeys.writePkcs8(keys, dir, "private.pem");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process server = EndpointBenchmark.startServer(db, pem, port, dir.resolve("routing-api.log"),
                serverEnvironment(kafka.bootstrapServers()),
                List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"));
        try (Connection sql = DriverManager.getConnection(db, "postgres", "")) {
            URI base = URI.create("http://localhost:" + port);
            WhatsAppFlowClient client = new WhatsAppFlowClient(base.resolve("/flows/endpoint"), keys.getPublic(),
                    EndpointBenchmark.APP_SECRET);
            EndpointBenchmark.awaitFirstPing(client, System.nanoTime());
            new DeviceRepairExample(base, EndpointBenchmark.ADMIN).install();
            sql.createStatement().execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            long postmaster = parentOf(backendPid(sql));

            // warm-up, not recorded: the JIT compiles the hot path
            System.out.println("warm-up: " + run(client, EndpointBenchmark.sealExchanges(client, db, 1_000 * warmupSeconds), warmupSeconds));

            // 1. counted phase: statements, WAL, CPU per transition
            List<WhatsAppFlowClient.Sealed> counted = EndpointBenchmark.sealExchanges(client, db, transitions);
            awaitOutboxEmpty(sql);
            sql.createStatement().execute("SELECT pg_stat_statements_reset()");
            String lsnBefore = scalar(sql, "SELECT pg_current_wal_lsn()::text");
            long commits = Long.parseLong(scalar(sql, XACT_COMMIT));
            long serverCpu = cpuTicks(server.pid());
            long pgCpu = postgresTicks(postmaster);
            long nanos = System.nanoTime();
            Result r = run(client, counted, 600);
            awaitOutboxEmpty(sql);
            double seconds = (System.nanoTime() - nanos) / 1e9;
            double serverCpuMs = (cpuTicks(server.pid()) - serverCpu) * 10.0; // USER_HZ = 100
            double pgCpuMs = (postgresTicks(postmaster) - pgCpu) * 10.0;
            String walBytes = scalar(sql, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + lsnBefore + "')::bigint::text");
            // pg_stat_statements does not list COMMIT here; the database's commit counter does (its own
            // queries in between count too: the two scalar() reads and the outbox polls, a few dozen)
            long committed = Long.parseLong(scalar(sql, XACT_COMMIT)) - commits;
            StringBuilder report = new StringBuilder();
            report.append(String.format("counted phase: %s in %.1f s (outbox drained)%n", r, seconds));
            report.append(String.format("routing-api CPU %.3f ms/transition, PostgreSQL CPU %.3f ms/transition (all its processes)%n",
                    serverCpuMs / r.ok, pgCpuMs / r.ok));
            report.append(String.format("WAL %s bytes = %.0f bytes/transition%n", walBytes, Double.parseDouble(walBytes) / r.ok));
            report.append(String.format("transactions committed in the database: %d = %.3f per transition%n", committed,
                    committed / (double) r.ok));
            report.append("pg_stat_statements (calls per transition, mean ms, rows per call, WAL bytes per call, query):\n");
            try (ResultSet rs = sql.createStatement().executeQuery("""
                    SELECT calls, mean_exec_time, rows, wal_bytes, regexp_replace(query, '\\s+', ' ', 'g')
                    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                    WHERE d.datname = 'bench' AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_current_wal_lsn%'
                      AND query NOT LIKE 'SELECT count(*) FROM outbox%'
                    ORDER BY calls DESC""")) {
                double total = 0;
                while (rs.next()) {
                    double perTransition = rs.getLong(1) / (double) r.ok;
                    total += perTransition;
                    report.append(String.format("  %7.3f  %7.3f ms  %6.2f rows  %8.1f B  %s%n", perTransition, rs.getDouble(2),
                            rs.getLong(3) / (double) rs.getLong(1), rs.getDouble(4) / rs.getLong(1), abbreviate(rs.getString(5))));
                }
                report.append(String.format("  %7.3f  statements per transition in total%n", total));
            }
            System.out.print(report);
            Files.writeString(out.resolve("postgres-per-transition.txt"), report.toString());

            // 2. CPU profile, 3. allocation profile
            profile(server.pid(), lib, client, db, "start,event=cpu,interval=1ms", out.resolve("cpu"), cpuSeconds);
            profile(server.pid(), lib, client, db, "start,event=alloc", out.resolve("alloc"), allocSeconds);
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            kafka.close();
            pg.close();
        }
        System.exit(0);
    }

    /** Kafka's address plus {@code -Dprofile.env=NAME=value,NAME=value} (settings to compare, e.g. Spring properties). */
    private static Map<String, String> serverEnvironment(String bootstrapServers) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        for (String pair : System.getProperty("profile.env", "").split(",")) {
            if (!pair.isBlank()) {
                int eq = pair.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("-Dprofile.env: NAME=value pairs separated by commas, not " + pair);
                }
                env.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return env;
    }

    private static void profile(long pid, String lib, WhatsAppFlowClient client, String db, String start, Path file, int seconds)
            throws Exception {
        List<WhatsAppFlowClient.Sealed> requests = EndpointBenchmark.sealExchanges(client, db, 1_500 * seconds);
        jcmd(pid, lib, start);
        Result r = run(client, requests, seconds);
        jcmd(pid, lib, "dump,collapsed" + (start.contains("alloc") ? ",total" : "") + ",file=" + file + ".collapsed");
        jcmd(pid, lib, "stop,file=" + file + ".html");
        if (!Files.isRegularFile(Path.of(file + ".html"))) {
            throw new IllegalStateException("async-profiler wrote no " + file + ".html: see the server's log");
        }
        System.out.println(file.getFileName() + " profile: " + r);
    }

    private static void jcmd(long pid, String lib, String options) throws Exception {
        // quoted: jcmd would read an unquoted "a=b" as a named argument of its own
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), "JVMTI.agent_load", lib, "\"" + options + "\"").inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + options + " failed");
        }
    }

    record Result(long ok, long errors, double seconds) {
        @Override
        public String toString() {
            return String.format("%d transitions (200) in %.1f s, %d errors", ok, seconds, errors);
        }
    }

    /** Each sealed request once (fresh sessions), 16 closed-loop clients, until all are sent or the time is up. */
    private static Result run(WhatsAppFlowClient client, List<WhatsAppFlowClient.Sealed> requests, int maxSeconds)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
        AtomicInteger next = new AtomicInteger();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        CountDownLatch done = new CountDownLatch(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            pool.submit(() -> {
                try {
                    int i;
                    while (System.nanoTime() < end && (i = next.getAndIncrement()) < requests.size()) {
                        if (EndpointBenchmark.send(http, client, requests.get(i)) == 200) {
                            ok.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        pool.shutdown();
        return new Result(ok.get(), errors.get(), (System.nanoTime() - started) / 1e9);
    }

    private static void awaitOutboxEmpty(Connection sql) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Long.parseLong(scalar(sql, "SELECT count(*) FROM outbox")) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the outbox relay did not drain the outbox within 60 s");
            }
            Thread.sleep(100);
        }
    }

    private static String scalar(Connection sql, String query) throws Exception {
        try (ResultSet rs = sql.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long backendPid(Connection sql) throws Exception {
        return Long.parseLong(scalar(sql, "SELECT pg_backend_pid()"));
    }

    /** Fields of /proc/pid/stat after the command name. */
    private static String[] stat(long pid) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return s.substring(s.lastIndexOf(')') + 2).split(" ");
    }

    private static long parentOf(long pid) throws Exception {
        return Long.parseLong(stat(pid)[1]);
    }

    /** utime + stime of one process, in clock ticks. */
    private static long cpuTicks(long pid) throws Exception {
        String[] f = stat(pid);
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The postmaster, its reaped children (cutime + cstime) and its live children. */
    private static long postgresTicks(long postmaster) throws Exception {
        String[] f = stat(postmaster);
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().matches("\\d+"))::iterator) {
                try {
                    long pid = Long.parseLong(p.getFileName().toString());
                    if (parentOf(pid) == postmaster) {
                        ticks += cpuTicks(pid);
                    }
                } catch (Exception gone) {
                    // exited meanwhile
                }
            }
        }
        return ticks;
    }

    private static String abbreviate(String query) {
        return query.length() > 160 ? query.substring(0, 157) + "..." : query;
    }
}
