package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.testclient.WhatsAppFlowClient;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
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
        String lib = profilerLibrary();
        Path out = outputDirectory();
        int transitions = Integer.getInteger("profile.transitions", 3000);
        int cpuSeconds = Integer.getInteger("profile.cpuSeconds", 30);
        int allocSeconds = Integer.getInteger("profile.allocSeconds", 20);
        int warmupSeconds = Integer.getInteger("profile.warmupSeconds", 60);

        try (BenchmarkStack stack = BenchmarkStack.start("profile", Map.of(
                "shared_preload_libraries", "pg_stat_statements",
                "pg_stat_statements.track", "all",
                "pg_stat_statements.track_utility", "on"), serverEnvironment(),
                List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"))) {
            Connection sql = stack.sql;
            String db = stack.db;
            WhatsAppFlowClient client = stack.client;
            Process server = stack.server;
            sql.createStatement().execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            long postmaster = stack.postmaster;

            // warm-up, not recorded: the JIT compiles the hot path
            System.out.println("warm-up: " + run(client, EndpointBenchmark.sealExchanges(client, db, 1_000 * warmupSeconds), warmupSeconds));

            // 1. counted phase: statements, WAL, CPU per transition
            List<WhatsAppFlowClient.Sealed> counted = EndpointBenchmark.sealExchanges(client, db, transitions);
            awaitOutboxEmpty(sql);
            sql.createStatement().execute("SELECT pg_stat_statements_reset()");
            String lsnBefore = scalar(sql, "SELECT pg_current_wal_lsn()::text");
            long commits = Long.parseLong(scalar(sql, XACT_COMMIT));
            long serverCpu = ProcessCpu.ticks(server.pid());
            long pgCpu = ProcessCpu.postgresTicks(postmaster);
            long nanos = System.nanoTime();
            Result r = run(client, counted, 600);
            awaitOutboxEmpty(sql);
            double seconds = (System.nanoTime() - nanos) / 1e9;
            double serverCpuMs = (ProcessCpu.ticks(server.pid()) - serverCpu) * ProcessCpu.MS_PER_TICK;
            double pgCpuMs = (ProcessCpu.postgresTicks(postmaster) - pgCpu) * ProcessCpu.MS_PER_TICK;
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
        }
        System.exit(0);
    }

    /** {@code -Dprofile.lib}: async-profiler's native library, required. */
    static String profilerLibrary() {
        String lib = System.getProperty("profile.lib");
        if (lib == null || !Files.isRegularFile(Path.of(lib))) {
            throw new IllegalArgumentException("-Dprofile.lib=<path of libasyncProfiler.so> is required");
        }
        return lib;
    }

    /** {@code -Dprofile.out}: where the profiles go (created), {@code docs/profiles} by default. */
    static Path outputDirectory() throws java.io.IOException {
        Path out = Path.of(System.getProperty("profile.out", "docs/profiles")).toAbsolutePath();
        Files.createDirectories(out);
        return out;
    }

    /** {@code -Dprofile.env=NAME=value,NAME=value}: settings of the server to compare (e.g. Spring properties). */
    static Map<String, String> serverEnvironment() {
        Map<String, String> env = new java.util.HashMap<>();
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

    static void jcmd(long pid, String lib, String options) throws Exception {
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

    static void awaitOutboxEmpty(Connection sql) throws Exception {
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

    private static String abbreviate(String query) {
        return query.length() > 160 ? query.substring(0, 157) + "..." : query;
    }
}
