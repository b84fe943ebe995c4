package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.flowendpoint.crypto.BareFlowEndpoint;
import io.flowgate.routing.flowendpoint.crypto.CryptoProviders;
import io.flowgate.routing.flowendpoint.crypto.RsaDecryptBenchmark;
import io.flowgate.routing.testclient.WhatsAppFlowClient;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Flow endpoint's throughput measured from outside with {@code wrk} (a C load generator that leaves
 * the cores to the server), as a ratio to the raw two-thread RSA-2048 decrypt ceiling measured in the
 * same run, with the CPU per request of routing-api and of PostgreSQL.
 *
 * <p>routing-api runs from its jar ({@code -Xmx512m}) against an embedded PostgreSQL (the test servers'
 * settings) and an in-process Kafka broker, so the outbox relay publishes and deletes as in production.
 * {@code ping} replays one sealed body (a ping has no state). {@code data_exchange} sends a different
 * request each time: one new session per request, sealed beforehand (a fresh AES key each), submitting
 * the example Flow's first screen, so every request is a real transition (no double-tap shortcut); wrk
 * reads them from a file and never reuses one within a phase. Each run measures the ceiling, then ping,
 * then the same ping against {@link BareFlowEndpoint} (a ping's work on a plain Tomcat servlet, no Spring:
 * the framework-free floor), then data_exchange, then data_exchange against the bare server (the same servlet
 * with one JDBC transaction of routing-api's statements and a minimal outbox relay, no Spring and no rules: the
 * infrastructure floor of a transition; its sessions in a database of its own); the report gives each run and
 * the medians. {@code -Dwrk.exchange=false} leaves both data_exchange phases out (ping and the bare floor only).
 *
 * <pre>
 * apt-get install wrk
 * ./mvnw -q -B -DskipTests install
 * ./mvnw -q -B -pl routing-api exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.flowgate.routing.flowendpoint.WrkEndpointBenchmark -Dexec.args="3 15"
 * </pre>
 * Arguments: runs (3), seconds per phase (15), wrk connections (16), seconds of warm-up per path (60: on two
 * cores the JIT keeps compiling the hot paths for about a minute, and shorter warm-ups measure it).
 */
public final class WrkEndpointBenchmark {

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

    private WrkEndpointBenchmark() {
    }

    /** One wrk phase: rate, percentiles at that (full) load, CPU per answered request. */
    record Phase(double perSecond, long requests, long non2xx, long socketErrors, double p50Ms, double p99Ms,
                 double serverCpuMs, double postgresCpuMs) {
        String row() {
            return String.format(Locale.ROOT, "%,.0f/s | p50 %.1f ms, p99 %.1f ms | %.3f ms | %.3f ms | %d / %d",
                    perSecond, p50Ms, p99Ms, serverCpuMs, postgresCpuMs, non2xx, socketErrors);
        }
    }

    /**
     * One run; {@code bare} is {@link BareFlowEndpoint}'s ping, {@code bareExchange} its data_exchange (the
     * infrastructure floor of a transition); both exchanges null with {@code -Dwrk.exchange=false}.
     */
    record Run(double ceiling, Phase ping, Phase bare, Phase exchange, Phase bareExchange) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        boolean exchanges = Boolean.parseBoolean(System.getProperty("wrk.exchange", "true"));
        Duration phase = Duration.ofSeconds(seconds);

        Path dir = Files.createTempDirectory("flowgate-wrk-");
        try (BenchmarkStack stack = BenchmarkStack.start("wrk", Map.of(), DataExchangeProfile.serverEnvironment(), List.of())) {
            Connection sql = stack.sql;
            String db = stack.db;
            WhatsAppFlowClient client = stack.client;
            Process server = stack.server;
            long postmaster = stack.postmaster;
            stack.startBare(List.of(), exchanges);
            Path pingScript = pingScript(client, dir);
            Path exchangeScript = dir.resolve("exchange.lua");
            Files.writeString(exchangeScript, EXCHANGE_LUA);
            String url = stack.base + "/flows/endpoint";
            String bareUrl = stack.bareBase + "/flows/endpoint";

            // warm-up, not recorded: the JIT compiles both paths (and the bare server's)
            wrk(url, pingScript, List.of(), connections, warmup, server.pid(), postmaster);
            wrk(bareUrl, pingScript, List.of(), connections, warmup, stack.bare.pid(), postmaster);
            if (exchanges) {
                Path warmRequests = requestFile(client, db, 2_000 * warmup, dir.resolve("warm.txt"));
                System.out.println("warm-up: data_exchange " + wrk(url, exchangeScript, List.of(warmRequests.toString()), connections,
                        warmup, server.pid(), postmaster).row());
                Files.delete(warmRequests);
                DataExchangeProfile.awaitOutboxEmpty(sql);
                Path bareWarm = requestFile(client, stack.bareDb, 2_000 * warmup, dir.resolve("bare-warm.txt"));
                System.out.println("warm-up: bare data_exchange " + wrk(bareUrl, exchangeScript, List.of(bareWarm.toString()),
                        connections, warmup, stack.bare.pid(), postmaster).row());
                Files.delete(bareWarm);
                DataExchangeProfile.awaitOutboxEmpty(stack.bareSql);
            }

            List<Run> results = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                double ceiling = RsaDecryptBenchmark.endpointCeiling(2, phase);
                Phase ping = wrk(url, pingScript, List.of(), connections, seconds, server.pid(), postmaster);
                Phase bare = wrk(bareUrl, pingScript, List.of(), connections, seconds, stack.bare.pid(), postmaster);
                Phase exchange = null;
                Phase bareExchange = null;
                if (exchanges) {
                    // more requests than the ceiling allows in a phase: none is sent twice
                    Path requests = requestFile(client, db, (int) (ceiling * seconds * 1.1) + 1_000, dir.resolve("run" + run + ".txt"));
                    DataExchangeProfile.awaitOutboxEmpty(sql);
                    exchange = wrk(url, exchangeScript, List.of(requests.toString()), connections, seconds, server.pid(), postmaster);
                    Files.delete(requests);
                    DataExchangeProfile.awaitOutboxEmpty(sql); // the relay's work belongs to the phase it follows
                    Path bareRequests = requestFile(client, stack.bareDb, (int) (ceiling * seconds * 1.1) + 1_000,
                            dir.resolve("bare-run" + run + ".txt"));
                    DataExchangeProfile.awaitOutboxEmpty(stack.bareSql);
                    bareExchange = wrk(bareUrl, exchangeScript, List.of(bareRequests.toString()), connections, seconds,
                            stack.bare.pid(), postmaster);
                    Files.delete(bareRequests);
                    DataExchangeProfile.awaitOutboxEmpty(stack.bareSql);
                }
                Run r = new Run(ceiling, ping, bare, exchange, bareExchange);
                results.add(r);
                System.out.printf(Locale.ROOT, "run %d: ceiling %.0f/s; ping %s (%.0f %%); bare ping %s (%.0f %%)%s%n", run, ceiling,
                        ping.row(), 100 * ping.perSecond() / ceiling, bare.row(), 100 * bare.perSecond() / ceiling,
                        exchange == null ? "" : String.format(Locale.ROOT, "; data_exchange %s (%.0f %%); bare data_exchange %s (%.0f %%)",
                                exchange.row(), 100 * exchange.perSecond() / ceiling, bareExchange.row(),
                                100 * bareExchange.perSecond() / ceiling));
            }
            report(results, seconds, connections);
        }
        System.exit(0);
    }

    static Path pingScript(WhatsAppFlowClient client, Path dir) throws Exception {
        WhatsAppFlowClient.Sealed ping = client.seal(WhatsAppFlowClient.payload("ping", null, null));
        String body = new String(ping.body(), StandardCharsets.UTF_8);
        Path script = dir.resolve("ping.lua");
        Files.writeString(script, "wrk.method = \"POST\"\nwrk.body = " + lua(body) + "\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
                + "wrk.headers[\"X-Hub-Signature-256\"] = " + lua(client.signature(ping.body())) + "\n");
        return script;
    }

    /** One line per request, {@code <signature> <body>}: fresh sessions, each about to leave the first screen. */
    static Path requestFile(WhatsAppFlowClient client, String db, int count, Path file) throws Exception {
        List<WhatsAppFlowClient.Sealed> sealed = EndpointBenchmark.sealExchanges(client, db, count);
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (WhatsAppFlowClient.Sealed s : sealed) {
                String body = new String(s.body(), StandardCharsets.UTF_8);
                if (body.indexOf('\n') >= 0) {
                    throw new IllegalStateException("a sealed body holds a line break");
                }
                out.write(client.signature(s.body()));
                out.write(' ');
                out.write(body);
                out.write('\n');
            }
        }
        return file;
    }

    /** Reads the request file in each wrk thread; every request is used once (counted if the file runs out). */
    static final String EXCHANGE_LUA = """
            local sigs, bodies, i, wrapped = {}, {}, 0, 0
            function init(args)
              for line in io.lines(args[1]) do
                local sp = string.find(line, " ", 1, true)
                sigs[#sigs + 1] = string.sub(line, 1, sp - 1)
                bodies[#bodies + 1] = string.sub(line, sp + 1)
              end
            end
            function request()
              i = i + 1
              if i > #bodies then i = 1; wrapped = wrapped + 1 end
              if wrapped > 0 then io.stderr:write("request file exhausted: requests are being reused\\n") end
              return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sigs[i]}, bodies[i])
            end
            """;

    static Phase wrk(String url, Path script, List<String> scriptArgs, int connections, int seconds, long serverPid,
                             long postmaster) throws Exception {
        List<String> command = new ArrayList<>(List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--latency",
                "-s", script.toString(), url));
        if (!scriptArgs.isEmpty()) {
            command.add("--");
            command.addAll(scriptArgs);
        }
        long serverBefore = ProcessCpu.ticks(serverPid);
        long pgBefore = ProcessCpu.postgresTicks(postmaster);
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0 || out.contains("request file exhausted")) {
            throw new IllegalStateException("wrk failed or ran out of requests:\n" + out);
        }
        double serverMs = (ProcessCpu.ticks(serverPid) - serverBefore) * ProcessCpu.MS_PER_TICK;
        double pgMs = (ProcessCpu.postgresTicks(postmaster) - pgBefore) * ProcessCpu.MS_PER_TICK;
        long total = Long.parseLong(find(TOTAL, out, 1));
        long non2xx = out.contains("Non-2xx") ? Long.parseLong(find(NON_2XX, out, 1)) : 0;
        long socketErrors = 0;
        Matcher e = ERRORS.matcher(out);
        if (e.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(e.group(g));
            }
        }
        double p50 = 0;
        double p99 = 0;
        Matcher p = PERCENTILE.matcher(out);
        while (p.find()) {
            double v = Double.parseDouble(p.group(2)) * switch (p.group(3)) {
                case "us" -> 0.001;
                case "s" -> 1000.0;
                default -> 1.0;
            };
            if (p.group(1).equals("50")) {
                p50 = v;
            } else {
                p99 = v;
            }
        }
        long ok = Math.max(1, total - non2xx);
        return new Phase(Double.parseDouble(find(RATE, out, 1)), total, non2xx, socketErrors, p50, p99, serverMs / ok, pgMs / ok);
    }

    private static String find(Pattern pattern, String text, int group) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in wrk's output:\n" + text);
        }
        return m.group(group);
    }

    private static String lua(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void report(List<Run> runs, int seconds, int connections) {
        System.out.printf(Locale.ROOT, "%n%d runs of %d s phases, wrk -t1 -c%d, %s%n%n", runs.size(), seconds, connections,
                "crypto: " + CryptoProviders.describe());
        System.out.println("| run | RSA ceiling (2 threads) | ping | ratio | bare ping | ratio | data_exchange | ratio "
                + "| bare data_exchange | ratio |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            System.out.printf(Locale.ROOT, "| %d | %,.0f/s | %s | %s | %s | %s |%n", i + 1, r.ceiling(), rate(r.ping(), r),
                    rate(r.bare(), r), rate(r.exchange(), r), rate(r.bareExchange(), r));
        }
        System.out.println();
        System.out.println("| median of the runs | ping | bare ping (no Spring) | data_exchange | bare data_exchange (no Spring, no rules) |");
        System.out.println("|---|---|---|---|---|");
        row("ratio to the same run's ceiling", runs, (r, p) -> 100 * p.perSecond() / r.ceiling(), "%.0f %%");
        row("requests/s", runs, (r, p) -> p.perSecond(), "%,.0f/s");
        row("server CPU per request (routing-api or the bare server)", runs, (r, p) -> p.serverCpuMs(), "%.3f ms");
        row("PostgreSQL CPU per request (all its processes)", runs, (r, p) -> p.postgresCpuMs(), "%.3f ms");
        row("p50 at full load", runs, (r, p) -> p.p50Ms(), "%.1f ms");
        row("p99 at full load", runs, (r, p) -> p.p99Ms(), "%.1f ms");
        row("non-2xx answers and socket errors (sum)", runs, (r, p) -> (double) p.non2xx() + p.socketErrors(), "%.0f");
        System.out.println("\n(p99 at half rate: EndpointBenchmark, whose open-loop load counts latency from each request's scheduled time.)");
    }

    private static String rate(Phase p, Run r) {
        return p == null ? "– | –" : String.format(Locale.ROOT, "%,.0f/s | %.0f %%", p.perSecond(), 100 * p.perSecond() / r.ceiling());
    }

    private static void row(String label, List<Run> runs, BiFunction<Run, Phase, Double> f, String format) {
        StringBuilder line = new StringBuilder("| " + label);
        for (Function<Run, Phase> path : List.<Function<Run, Phase>>of(Run::ping, Run::bare, Run::exchange, Run::bareExchange)) {
            List<Double> values = runs.stream().filter(r -> path.apply(r) != null).map(r -> f.apply(r, path.apply(r))).toList();
            line.append(" | ").append(values.isEmpty() ? "–" : String.format(Locale.ROOT, format, EndpointBenchmark.median(values)));
        }
        System.out.println(line.append(" |"));
    }
}
