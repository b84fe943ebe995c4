package io.flowgate.routing.flowendpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a {@code ping}'s time goes (issue 12, docs/profiles/README.md "ping"): routing-api from its jar (or,
 * with {@code -Dprofile.target=bare}, {@link io.flowgate.routing.flowendpoint.crypto.BareFlowEndpoint}, the
 * same work without Spring) driven by wrk with one replayed sealed ping, as {@link WrkEndpointBenchmark} does:
 * <ol>
 *   <li>a warm-up, then an unprofiled counted phase: CPU time per ping of the server process, its context
 *       switches per ping (voluntary and involuntary, summed over its threads from {@code /proc/<pid>/task}) and
 *       its live thread count;</li>
 *   <li>a CPU profile: async-profiler loaded into the running server with {@code jcmd <pid> JVMTI.agent_load},
 *       written as an HTML flame graph and collapsed stacks ({@code docs/profiles/ping-layers.py} splits them
 *       by layer).</li>
 * </ol>
 * System properties: {@code profile.lib} (libasyncProfiler.so, required), {@code profile.out} (directory,
 * default {@code docs/profiles}), {@code profile.name} (file prefix, default {@code ping}), {@code profile.target}
 * ({@code routing-api} or {@code bare}), {@code profile.warmupSeconds} (60), {@code profile.countSeconds} (20),
 * {@code profile.cpuSeconds} (30), {@code profile.connections} (wrk's, 16), {@code profile.env} (extra environment
 * of routing-api, {@code NAME=value,…}, e.g. {@code FLOWGATE_HTTP_THREADS=48,FLOWGATE_ENDPOINT_MAX_IN_FLIGHT=32}).
 * {@code -Dprofile.action=data_exchange} profiles transitions instead of pings (one fresh pre-inserted session per
 * request, {@link WrkEndpointBenchmark}'s request files and script; with {@code profile.target=bare} the bare
 * server's data_exchange, {@link io.flowgate.routing.flowendpoint.crypto.BareTransition}).
 * Only proportions and per-request figures are meant to be read from it on a shared machine.
 */
public final class PingProfile {

    private PingProfile() {
    }

    public static void main(String[] args) throws Exception {
        String lib = DataExchangeProfile.profilerLibrary();
        Path out = DataExchangeProfile.outputDirectory();
        String name = System.getProperty("profile.name", "ping");
        boolean bare = "bare".equals(System.getProperty("profile.target", "routing-api"));
        boolean exchange = "data_exchange".equals(System.getProperty("profile.action", "ping"));
        int warmupSeconds = Integer.getInteger("profile.warmupSeconds", 60);
        int countSeconds = Integer.getInteger("profile.countSeconds", 20);
        int cpuSeconds = Integer.getInteger("profile.cpuSeconds", 30);
        int connections = Integer.getInteger("profile.connections", 16);
        List<String> jvm = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints");

        try (BenchmarkStack stack = BenchmarkStack.start("ping-profile", Map.of(), DataExchangeProfile.serverEnvironment(),
                bare ? List.of() : jvm)) {
            if (bare) {
                stack.startBare(jvm, exchange);
            }
            long pid = bare ? stack.bare.pid() : stack.server.pid();
            String url = (bare ? stack.bareBase : stack.base) + "/flows/endpoint";
            Path dir = Files.createTempDirectory("flowgate-ping-");
            Path script = exchange ? Files.writeString(dir.resolve("exchange.lua"), WrkEndpointBenchmark.EXCHANGE_LUA)
                    : WrkEndpointBenchmark.pingScript(stack.client, dir);
            String db = bare ? stack.bareDb : stack.db;
            // data_exchange: a file of fresh sessions per phase, more than 3,000 transitions/s could use
            Function<Integer, List<String>> requests = seconds -> {
                if (!exchange) {
                    return List.of();
                }
                try {
                    return List.of(WrkEndpointBenchmark.requestFile(stack.client, db, 3_000 * seconds,
                            dir.resolve("requests-" + System.nanoTime() + ".txt")).toString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };

            System.out.println("warm-up: " + WrkEndpointBenchmark.wrk(url, script, requests.apply(warmupSeconds), connections,
                    warmupSeconds, pid, stack.postmaster).row());

            List<String> countedRequests = requests.apply(countSeconds);
            long switchesBefore = contextSwitches(pid);
            WrkEndpointBenchmark.Phase counted = WrkEndpointBenchmark.wrk(url, script, countedRequests, connections, countSeconds, pid,
                    stack.postmaster);
            long switches = contextSwitches(pid) - switchesBefore;
            long answered = counted.requests() - counted.non2xx();
            String report = String.format(Locale.ROOT, """
                            %s, %s, wrk -t1 -c%d, %d s counted after %d s of warm-up, environment %s
                            %,.0f requests/s, %d answered (non-2xx %d, socket errors %d), p50 %.1f ms, p99 %.1f ms
                            server CPU per request %.3f ms (PostgreSQL %.3f ms)
                            server context switches per request %.2f, threads %d
                            """, bare ? "bare Flow endpoint (no Spring)" : "routing-api", exchange ? "data_exchange" : "ping", connections,
                    countSeconds, warmupSeconds,
                    DataExchangeProfile.serverEnvironment(), counted.perSecond(), answered, counted.non2xx(), counted.socketErrors(),
                    counted.p50Ms(), counted.p99Ms(), counted.serverCpuMs(), counted.postgresCpuMs(), switches / (double) Math.max(1, answered),
                    threads(pid));
            System.out.print(report);
            Files.writeString(out.resolve(name + "-counted.txt"), report);

            Path file = out.resolve(name + "-cpu");
            List<String> profiledRequests = requests.apply(cpuSeconds);
            DataExchangeProfile.jcmd(pid, lib, "start,event=cpu,interval=1ms");
            WrkEndpointBenchmark.Phase profiled = WrkEndpointBenchmark.wrk(url, script, profiledRequests, connections, cpuSeconds, pid,
                    stack.postmaster);
            DataExchangeProfile.jcmd(pid, lib, "dump,collapsed,file=" + file + ".collapsed");
            DataExchangeProfile.jcmd(pid, lib, "stop,file=" + file + ".html");
            if (!Files.isRegularFile(Path.of(file + ".html"))) {
                throw new IllegalStateException("async-profiler wrote no " + file + ".html: see the server's log");
            }
            System.out.println("profiled: " + profiled.row());
        }
        System.exit(0);
    }

    /** Voluntary and involuntary context switches of all the live threads of a process. */
    static long contextSwitches(long pid) throws Exception {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (java.io.IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return sum;
    }

    private static long threads(long pid) throws Exception {
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.count();
        }
    }
}
