package io.flowgate.routing.flowendpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * PostgreSQL's share of a {@code data_exchange} transition, split (issue 12, docs/benchmarks.md "data_exchange:
 * PostgreSQL's share of the floor"): the stack of {@link WrkEndpointBenchmark} (routing-api from its jar,
 * {@link io.flowgate.routing.flowendpoint.crypto.BareFlowEndpoint}'s bare transition in a database of its own,
 * an in-process broker) on an embedded PostgreSQL with {@code pg_stat_statements} (planning tracked), and for
 * each wrk phase of fresh-session transitions, once the relay has drained the outbox, per transition:
 * <ul>
 *   <li>PostgreSQL CPU by process: the phase database's pool backends (the requests' transactions and the
 *       {@code pg_notify}s, which share the pool), its outbox relay, other connections, walwriter, checkpointer,
 *       background writer, autovacuum (launcher; workers exit, so they are in "exited children"), from
 *       {@code /proc/<pid>/stat} and {@code pg_stat_activity};</li>
 *   <li>each statement's calls, execution and planning time ({@code pg_stat_statements});</li>
 *   <li>commits ({@code pg_stat_database.xact_commit}) and WAL bytes ({@code pg_current_wal_lsn}).</li>
 * </ul>
 * The machine is shared: read the per-transition counts and the shares, not the speed.
 *
 * <pre>
 * ./mvnw -q -B -o -pl routing-api -am package -DskipTests
 * ./mvnw -q -B -o -pl routing-api -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -Xmx2g -cp routing-api/target/test-classes:routing-api/target/classes:$(cat /tmp/cp.txt) \
 *     io.flowgate.routing.flowendpoint.PostgresSplit 2 15 30
 * </pre>
 * Arguments: runs per path (2), seconds per phase (15), seconds of warm-up per path (30). {@code -Dsplit.paths=bare}
 * or {@code routing-api} measures one path only (both by default, bare first); {@code -Dprofile.env} as in
 * {@link DataExchangeProfile}; {@code -Dsplit.pg=synchronous_commit=on,fsync=on,full_page_writes=on} overrides the
 * benchmark server's settings (production's durability instead of the test servers').
 */
public final class PostgresSplit {

    private PostgresSplit() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        List<String> paths = List.of(System.getProperty("split.paths", "bare,routing-api").replace(" ", "").split(","));
        Path dir = Files.createTempDirectory("flowgate-pgsplit-");
        Map<String, String> settings = new LinkedHashMap<>(Map.of(
                "shared_preload_libraries", "pg_stat_statements",
                "pg_stat_statements.track", "all",
                "pg_stat_statements.track_utility", "on",
                "pg_stat_statements.track_planning", "on"));
        for (String pair : System.getProperty("split.pg", "").split(",")) {
            if (!pair.isBlank()) { // e.g. synchronous_commit=on,fsync=on: production's durability instead of the test servers'
                settings.put(pair.substring(0, pair.indexOf('=')).trim(), pair.substring(pair.indexOf('=') + 1).trim());
            }
        }
        try (BenchmarkStack stack = BenchmarkStack.start("pgsplit", settings, DataExchangeProfile.serverEnvironment(), List.of())) {
            stack.sql.createStatement().execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            if (paths.contains("bare")) {
                stack.startBare(List.of(), true);
            }
            Path script = dir.resolve("exchange.lua");
            Files.writeString(script, WrkEndpointBenchmark.EXCHANGE_LUA);
            StringBuilder report = new StringBuilder();
            for (String path : paths) {
                boolean bare = path.equals("bare");
                String url = (bare ? stack.bareBase : stack.base) + "/flows/endpoint";
                String db = bare ? stack.bareDb : stack.db;
                String datname = bare ? "bare" : "bench";
                Connection sql = bare ? stack.bareSql : stack.sql;
                long pid = bare ? stack.bare.pid() : stack.server.pid();
                Path warm = WrkEndpointBenchmark.requestFile(stack.client, db, 1_500 * warmup, dir.resolve("warm.txt"));
                System.out.println("warm-up " + path + ": " + WrkEndpointBenchmark.wrk(url, script, List.of(warm.toString()), 16,
                        warmup, pid, stack.postmaster).row());
                Files.delete(warm);
                for (int run = 1; run <= runs; run++) {
                    Path requests = WrkEndpointBenchmark.requestFile(stack.client, db, 1_500 * seconds, dir.resolve("run.txt"));
                    DataExchangeProfile.awaitOutboxEmpty(sql);
                    Snapshot before = Snapshot.take(stack.sql, stack.postmaster, datname);
                    WrkEndpointBenchmark.Phase phase = WrkEndpointBenchmark.wrk(url, script, List.of(requests.toString()), 16,
                            seconds, pid, stack.postmaster);
                    DataExchangeProfile.awaitOutboxEmpty(sql); // the relay's work belongs to the phase it follows
                    Snapshot after = Snapshot.take(stack.sql, stack.postmaster, datname);
                    Files.delete(requests);
                    String text = split(path + " run " + run, phase, before, after);
                    System.out.print(text);
                    report.append(text);
                }
            }
            Path out = DataExchangeProfile.outputDirectory().resolve("postgres-split.txt");
            Files.writeString(out, report.toString());
            System.out.println("written: " + out);
        }
        System.exit(0);
    }

    private static String split(String title, WrkEndpointBenchmark.Phase phase, Snapshot before, Snapshot after) {
        long n = Math.max(1, phase.requests() - phase.non2xx());
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%n== %s: %s%n", title, phase.row()));
        double cpu = (after.totalTicks() - before.totalTicks()) * ProcessCpu.MS_PER_TICK;
        s.append(String.format(Locale.ROOT, "PostgreSQL CPU %.3f ms/transition; commits %.3f/transition; WAL %.0f bytes/transition%n",
                cpu / n, (after.commits - before.commits) / (double) n, (after.walBytes - before.walBytes) / (double) n));
        s.append("CPU by process (ms per transition, share):\n");
        Map<String, Long> byLabel = new TreeMap<>();
        after.ticksByLabel.forEach((label, t) -> byLabel.merge(label, t - before.ticksByLabel.getOrDefault(label, 0L), Long::sum));
        before.ticksByLabel.forEach((label, t) -> byLabel.putIfAbsent(label, -t)); // processes that went away are in "exited"
        byLabel.entrySet().stream().filter(e -> e.getValue() != 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> s.append(String.format(Locale.ROOT, "  %7.3f ms  %5.1f %%  %s%n", e.getValue() * ProcessCpu.MS_PER_TICK / n,
                        100.0 * e.getValue() * ProcessCpu.MS_PER_TICK / Math.max(1e-9, cpu), e.getKey())));
        s.append("statements (calls per transition, exec ms per call, plan ms per call, exec+plan ms per transition, rows per call, query):\n");
        double statementMs = 0;
        double calls = 0;
        for (Statement0 st : after.statements.values()) {
            double perTransition = st.calls / (double) n;
            double ms = (st.execMs + st.planMs) / n;
            statementMs += ms;
            calls += perTransition;
            s.append(String.format(Locale.ROOT, "  %7.3f  %7.4f  %7.4f  %7.4f ms  %6.2f  %s%n", perTransition, st.execMs / st.calls,
                    st.plans == 0 ? 0 : st.planMs / st.plans, ms, st.rows / (double) st.calls, st.query));
        }
        s.append(String.format(Locale.ROOT, "  %7.3f statements per transition, %.4f ms of execution and planning per transition "
                + "(%.0f %% of PostgreSQL's CPU; the rest: protocol, parse, commit, process switches)%n", calls, statementMs,
                100 * statementMs / Math.max(1e-9, cpu / n)));
        return s.toString();
    }

    private record Statement0(long calls, double execMs, long plans, double planMs, long rows, String query) {
    }

    /** What the counters say at one moment; the statements since the last reset (each snapshot resets after reading). */
    private record Snapshot(long commits, long walBytes, Map<String, Long> ticksByLabel, Map<String, Statement0> statements) {

        long totalTicks() {
            return ticksByLabel.values().stream().mapToLong(Long::longValue).sum();
        }

        static Snapshot take(Connection sql, long postmaster, String datname) throws Exception {
            Map<Long, String> labels = new LinkedHashMap<>();
            try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery("""
                    SELECT pid, backend_type, coalesce(datname, ''), coalesce(application_name, ''), pid = pg_backend_pid()
                    FROM pg_stat_activity""")) {
                while (rs.next()) {
                    String type = rs.getString(2);
                    String label;
                    if (rs.getBoolean(5)) {
                        label = "this measurement's connection";
                    } else if (!type.equals("client backend")) {
                        label = type;
                    } else if (!rs.getString(3).equals(datname)) {
                        label = "connections to other databases (" + rs.getString(3) + ")";
                    } else if (rs.getString(4).contains("relay")) {
                        label = datname + ": outbox relay (" + rs.getString(4) + ")";
                    } else if (rs.getString(4).equals("PostgreSQL JDBC Driver")) {
                        label = datname + ": pool backends (requests' transactions, pg_notify) and the benchmark's polls";
                    } else {
                        label = datname + ": " + rs.getString(4);
                    }
                    labels.put(rs.getLong(1), label);
                }
            }
            Map<String, Long> ticks = new TreeMap<>();
            ticks.put("postmaster", ProcessCpu.ticks(postmaster));
            ticks.put("exited children (autovacuum workers, closed connections)", ProcessCpu.reapedTicks(postmaster));
            for (long child : ProcessCpu.children(postmaster)) {
                try {
                    ticks.merge(labels.getOrDefault(child, "other child"), ProcessCpu.ticks(child), Long::sum);
                } catch (Exception gone) {
                    // exited meanwhile: counted by the postmaster's reaped children next time
                }
            }
            long commits;
            long wal;
            try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = '" + datname + "'), "
                            + "pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
                rs.next();
                commits = rs.getLong(1);
                wal = rs.getLong(2);
            }
            Map<String, Statement0> statements = new LinkedHashMap<>();
            try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery("""
                    SELECT calls, total_exec_time, plans, total_plan_time, rows, regexp_replace(query, '\\s+', ' ', 'g')
                    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                    WHERE d.datname = '%s' AND query NOT LIKE '%%pg_stat_statements%%' AND query NOT LIKE '%%pg_current_wal_lsn%%'
                      AND query NOT LIKE '%%FROM pg_stat_activity%%' AND query NOT LIKE 'SELECT count(*) FROM outbox%%'
                    ORDER BY total_exec_time + total_plan_time DESC""".formatted(datname))) {
                while (rs.next()) {
                    String q = rs.getString(6);
                    statements.put(q, new Statement0(rs.getLong(1), rs.getDouble(2), rs.getLong(3), rs.getDouble(4), rs.getLong(5),
                            q.length() > 150 ? q.substring(0, 147) + "..." : q));
                }
            }
            sql.createStatement().execute("SELECT pg_stat_statements_reset()");
            return new Snapshot(commits, wal, ticks, statements);
        }
    }
}
