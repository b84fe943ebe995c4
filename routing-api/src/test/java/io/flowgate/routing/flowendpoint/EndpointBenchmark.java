package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.flowendpoint.crypto.CryptoProviders;
import io.flowgate.routing.flowendpoint.crypto.RsaDecryptBenchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import io.flowgate.testkit.TestKeys;
import org.HdrHistogram.Histogram;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Load run of the Flow endpoint against its cost floor, for docs/benchmarks.md. Starts routing-api as
 * a separate process from its built jar with {@code -Xmx512m} (so its heap limit is part of the test),
 * measures start-up to the first answered ping, the raw two-thread RSA-decrypt ceiling of this machine
 * in the same run, then for {@code ping} and for a {@code data_exchange} transition (rule evaluation
 * over the routing tables, session update, outbox write): the maximum closed-loop throughput, and the
 * latency percentiles of an open-loop load at half that rate (latency counted from each request's
 * scheduled send time, so a stall is not hidden). The load generator shares the machine's cores.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests install
 * ./mvnw -q -B -pl routing-api exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.flowgate.routing.flowendpoint.EndpointBenchmark -Dexec.args="3 15"
 * </pre>
 * Arguments: runs (the median is reported), seconds per phase. Optional third argument: the number of
 * extra sessions to pre-load into flow_sessions (for the "1,000,000 sessions" comparison).
 */
public final class EndpointBenchmark {

    static final String APP_SECRET = "bench-app-secret";
    static final String ADMIN = "bench-admin-token";
    private static final int CLOSED_LOOP_CLIENTS = 16;

    private EndpointBenchmark() {
    }

    /**
     * One measured phase; {@code serverCpuMs} and {@code postgresCpuMs} are the CPU time of routing-api and of all
     * PostgreSQL processes over the whole phase (closed loop, its warm-up and the open loop) per request sent in it.
     */
    record Phase(double maxPerSecond, double halfRate, double p50Ms, double p90Ms, double p99Ms, double maxMs, long errors,
                 double serverCpuMs, double postgresCpuMs) {
    }

    /** The processes whose CPU time a phase counts. */
    private record Processes(long server, long postmaster) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int extraSessions = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        Duration phase = Duration.ofSeconds(seconds);

        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start();
        String db = postgres.newDatabase("bench");
        KeyPair keys = TestKeys.generate();
        Path dir = Files.createTempDirectory("flowgate-bench-");
        Path pem = TestKeys.writePkcs8(keys, dir, "private.pem");
        int port = 18080;
        long launched = System.nanoTime();
        Process server = startServer(db, pem, port, dir.resolve("routing-api.log"));
        try (Connection sql = DriverManager.getConnection(db, "postgres", "")) {
            Processes processes = new Processes(server.pid(), ProcessCpu.postmasterOf(sql));
            URI base = URI.create("http://localhost:" + port);
            WhatsAppFlowClient client = new WhatsAppFlowClient(base.resolve("/flows/endpoint"), keys.getPublic(), APP_SECRET);
            double startupSeconds = awaitFirstPing(client, launched);
            new DeviceRepairExample(base, ADMIN).install();
            if (extraSessions > 0) {
                preloadSessions(db, extraSessions, "filler");
            }

            // a first, unrecorded round: the server's JIT compiles the hot path before anything is measured
            WhatsAppFlowClient.Sealed warm = client.seal(WhatsAppFlowClient.payload("ping", null, null));
            measure(processes, client, i -> warm, Duration.ofSeconds(5));
            List<WhatsAppFlowClient.Sealed> warmSteps = sealExchanges(client, db, 5_000);
            AtomicInteger warmNext = new AtomicInteger();
            measure(processes, client, i -> warmSteps.get(warmNext.getAndIncrement() % warmSteps.size()), Duration.ofSeconds(5));

            List<Double> ceilings = new ArrayList<>();
            List<Phase> pings = new ArrayList<>();
            List<Phase> exchanges = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                ceilings.add(RsaDecryptBenchmark.endpointCeiling(2, phase));
                WhatsAppFlowClient.Sealed ping = client.seal(WhatsAppFlowClient.payload("ping", null, null));
                pings.add(measure(processes, client, i -> ping, phase));
                List<WhatsAppFlowClient.Sealed> steps = sealExchanges(client, db, (int) (pings.get(run).maxPerSecond() * seconds * 3) + 1000);
                AtomicInteger next = new AtomicInteger();
                exchanges.add(measure(processes, client, i -> steps.get(next.getAndIncrement() % steps.size()), phase));
                System.out.printf("run %d: ceiling %.0f/s, ping %s, data_exchange %s%n", run + 1, ceilings.get(run), pings.get(run), exchanges.get(run));
            }
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double heapMb = metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum() / (1024 * 1024);
            report(runs, seconds, extraSessions, startupSeconds, ceilings, pings, exchanges, heapMb);
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            postgres.close();
        }
        // the HTTP clients' worker threads are not daemons: end the benchmark's JVM explicitly
        System.exit(0);
    }

    private static Process startServer(String db, Path pem, int port, Path log) throws Exception {
        return startServer(db, pem, port, log, Map.of(), List.of());
    }

    /** Also used by {@link DataExchangeProfile}: extra environment and JVM options for the server. */
    static Process startServer(String db, Path pem, int port, Path log, Map<String, String> extraEnv, List<String> jvmOptions)
            throws Exception {
        File jar;
        try (var files = Files.list(Path.of("routing-api/target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("routing-api-.*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("build routing-api first: ./mvnw -q -DskipTests install")).toFile();
        }
        List<String> command = new ArrayList<>(List.of("java", "-Xmx512m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.getPath()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("FLOWGATE_DB_URL", db);
        env.put("FLOWGATE_DB_USER", "postgres");
        env.put("FLOWGATE_PRIVATE_KEY", pem.toString());
        env.put("FLOWGATE_APP_SECRET", APP_SECRET);
        env.put("FLOWGATE_ADMIN_TOKEN", ADMIN);
        env.put("FLOWGATE_ENDPOINT_MAX_IN_FLIGHT", "256");
        env.put("FLOWGATE_HTTP_THREADS", "288"); // at least the in-flight limit + 16, checked at start
        env.putAll(extraEnv);
        return pb.start();
    }

    static double awaitFirstPing(WhatsAppFlowClient client, long launched) throws InterruptedException {
        WhatsAppFlowClient.Sealed ping = client.seal(WhatsAppFlowClient.payload("ping", null, null));
        while (true) {
            try {
                if (client.post(ping).status() == 200) {
                    return (System.nanoTime() - launched) / 1e9;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            // -Dbenchmark.startSeconds: more on a machine loaded by other work, where start-up alone can take minutes
            int limit = Integer.getInteger("benchmark.startSeconds", 120);
            if (System.nanoTime() - launched > TimeUnit.SECONDS.toNanos(limit)) {
                throw new IllegalStateException("routing-api did not answer within " + limit + " s (-Dbenchmark.startSeconds)");
            }
            Thread.sleep(50);
        }
    }

    /** Closed loop at full speed, then an open loop at half that rate. */
    private static Phase measure(Processes processes, WhatsAppFlowClient client, IntFunction<WhatsAppFlowClient.Sealed> requests,
                                 Duration duration) throws Exception {
        long serverTicks = ProcessCpu.ticks(processes.server());
        long postgresTicks = ProcessCpu.postgresTicks(processes.postmaster());
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicInteger index = new AtomicInteger();
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        long end = warmupEnd + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(CLOSED_LOOP_CLIENTS);
        CountDownLatch finished = new CountDownLatch(CLOSED_LOOP_CLIENTS);
        for (int c = 0; c < CLOSED_LOOP_CLIENTS; c++) {
            pool.submit(() -> {
                try {
                    while (System.nanoTime() < end) {
                        WhatsAppFlowClient.Sealed s = requests.apply(index.getAndIncrement());
                        int status = send(http, client, s);
                        if (System.nanoTime() > warmupEnd) {
                            done.incrementAndGet();
                            if (status != 200) {
                                errors.incrementAndGet();
                            }
                        }
                    }
                } finally {
                    finished.countDown();
                }
                return null;
            });
        }
        finished.await();
        pool.shutdown();
        double max = done.get() / (duration.toNanos() / 1e9);

        double rate = max / 2;
        Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        long intervalNanos = (long) (1e9 / rate);
        int total = (int) (rate * duration.toSeconds());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ExecutorService senders = Executors.newFixedThreadPool(64);
        ConcurrentLinkedQueue<Long> recorded = new ConcurrentLinkedQueue<>();
        CountDownLatch all = new CountDownLatch(total);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        AtomicLong openErrors = new AtomicLong();
        for (int i = 0; i < total; i++) {
            long scheduled = start + i * intervalNanos;
            WhatsAppFlowClient.Sealed s = requests.apply(index.getAndIncrement());
            ticker.schedule(() -> senders.submit(() -> {
                try {
                    if (send(http, client, s) != 200) {
                        openErrors.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    openErrors.incrementAndGet();
                }
                recorded.add((System.nanoTime() - scheduled) / 1_000);
                all.countDown();
            }), scheduled - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        all.await(duration.toSeconds() + 120, TimeUnit.SECONDS);
        ticker.shutdownNow();
        senders.shutdownNow();
        recorded.forEach(micros -> latency.recordValue(Math.min(micros, latency.getHighestTrackableValue())));
        double sent = index.get();
        double serverCpuMs = (ProcessCpu.ticks(processes.server()) - serverTicks) * ProcessCpu.MS_PER_TICK / sent;
        double postgresCpuMs = (ProcessCpu.postgresTicks(processes.postmaster()) - postgresTicks) * ProcessCpu.MS_PER_TICK / sent;
        return new Phase(max, rate, latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(90) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0, latency.getMaxValue() / 1000.0, errors.get() + openErrors.get(),
                serverCpuMs, postgresCpuMs);
    }

    static int send(HttpClient http, WhatsAppFlowClient client, WhatsAppFlowClient.Sealed s) {
        try {
            HttpRequest request = HttpRequest.newBuilder(client.endpoint()).POST(HttpRequest.BodyPublishers.ofByteArray(s.body()))
                    .header("X-Hub-Signature-256", client.signature(s.body())).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Sessions straight into the table (minting {@code count} tokens over HTTP would take longer than the
     * run), each about to submit the example Flow's first screen; returns their sealed requests.
     */
    static List<WhatsAppFlowClient.Sealed> sealExchanges(WhatsAppFlowClient client, String db, int count) throws Exception {
        List<String> tokens = preloadSessions(db, count, DeviceRepairExample.FLOW_ID);
        Random random = new Random(42);
        String[] items = {"iphone-13-screen", "pixel-8-battery", "ipad-air-screen", "galaxy-s23-port"};
        List<WhatsAppFlowClient.Sealed> sealed = new ArrayList<>(count);
        for (String token : tokens) {
            ObjectNode p = WhatsAppFlowClient.payload("data_exchange", "WELCOME", token);
            p.with("data").put("item_id", items[random.nextInt(items.length)]).put("budget", Integer.toString(50 + random.nextInt(900)));
            sealed.add(client.seal(p));
        }
        return sealed;
    }

    static List<String> preloadSessions(String db, int count, String flowId) throws Exception {
        List<String> tokens = new ArrayList<>(count);
        Random random = new Random();
        try (Connection c = DriverManager.getConnection(db, "postgres", "")) {
            c.setAutoCommit(false);
            if (!flowId.equals(DeviceRepairExample.FLOW_ID)) {
                c.createStatement().execute("INSERT INTO flows (flow_id, flow_json, entry_screen) SELECT '" + flowId
                        + "', flow_json, entry_screen FROM flows WHERE flow_id = '" + DeviceRepairExample.FLOW_ID + "' ON CONFLICT DO NOTHING");
            }
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO flow_sessions (session_id, token_hash, wa_id, flow_id, status, current_screen, history, expires_at)
                    VALUES (?, ?, ?, ?, 'active', 'WELCOME', '[{"screen":"WELCOME","data":{}}]', ?)""")) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                Timestamp expires = Timestamp.from(Instant.now().plus(Duration.ofDays(1)));
                for (int i = 0; i < count; i++) {
                    byte[] raw = new byte[32];
                    random.nextBytes(raw);
                    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
                    tokens.add(token);
                    insert.setObject(1, UUID.randomUUID());
                    insert.setBytes(2, sha.digest(token.getBytes(StandardCharsets.UTF_8)));
                    insert.setString(3, "1555" + (1_000_000 + random.nextInt(8_999_999)));
                    insert.setString(4, flowId);
                    insert.setTimestamp(5, expires);
                    insert.addBatch();
                    if (i % 5_000 == 4_999) {
                        insert.executeBatch();
                        c.commit();
                    }
                }
                insert.executeBatch();
                c.commit();
            }
        }
        return tokens;
    }

    private static void report(int runs, int seconds, int extra, double startup, List<Double> ceilings, List<Phase> pings,
                               List<Phase> exchanges, double heapMb) {
        Phase ping = medianPhase(pings);
        Phase exchange = medianPhase(exchanges);
        double ceiling = median(ceilings);
        // each run's throughput is compared with the ceiling measured in that same run: the machine is shared
        List<Double> pingRatios = new ArrayList<>();
        List<Double> exchangeRatios = new ArrayList<>();
        for (int i = 0; i < ceilings.size(); i++) {
            pingRatios.add(pings.get(i).maxPerSecond() / ceilings.get(i));
            exchangeRatios.add(exchanges.get(i).maxPerSecond() / ceilings.get(i));
        }
        System.out.printf("%n| measure (median of %d runs, %d s phases%s) | ping | data_exchange |%n", runs, seconds,
                extra > 0 ? ", " + extra + " extra sessions in the table" : "");
        System.out.println("|---|---|---|");
        System.out.printf("| raw RSA-2048 decrypt ceiling, 2 threads (%s) | %.0f/s | %.0f/s |%n", CryptoProviders.describe(), ceiling, ceiling);
        System.out.printf("| max throughput (closed loop, %d clients) | %.0f/s | %.0f/s |%n", CLOSED_LOOP_CLIENTS, ping.maxPerSecond(), exchange.maxPerSecond());
        System.out.printf("| ratio to the same run's ceiling (median of the runs' ratios) | %.0f %% | %.0f %% |%n",
                100 * median(pingRatios), 100 * median(exchangeRatios));
        System.out.printf("| latency at half that rate (%.0f/s, %.0f/s): p50 / p90 / p99 / max | %.1f / %.1f / %.1f / %.1f ms | %.1f / %.1f / %.1f / %.1f ms |%n",
                ping.halfRate(), exchange.halfRate(), ping.p50Ms(), ping.p90Ms(), ping.p99Ms(), ping.maxMs(),
                exchange.p50Ms(), exchange.p90Ms(), exchange.p99Ms(), exchange.maxMs());
        System.out.printf("| CPU time per request (routing-api / all PostgreSQL processes) | %.3f / %.3f ms | %.3f / %.3f ms |%n",
                ping.serverCpuMs(), ping.postgresCpuMs(), exchange.serverCpuMs(), exchange.postgresCpuMs());
        System.out.printf("| non-200 answers | %d | %d |%n", ping.errors(), exchange.errors());
        System.out.printf("%nrouting-api: -Xmx512m, heap used after the runs %.0f MiB; start-up to first answered ping %.1f s%n", heapMb, startup);
    }

    private static Phase medianPhase(List<Phase> phases) {
        List<Phase> sorted = new ArrayList<>(phases);
        sorted.sort((a, b) -> Double.compare(a.maxPerSecond(), b.maxPerSecond()));
        Phase m = sorted.get(sorted.size() / 2);
        double[] p99 = phases.stream().mapToDouble(Phase::p99Ms).sorted().toArray();
        double[] p50 = phases.stream().mapToDouble(Phase::p50Ms).sorted().toArray();
        double[] p90 = phases.stream().mapToDouble(Phase::p90Ms).sorted().toArray();
        double[] serverCpu = phases.stream().mapToDouble(Phase::serverCpuMs).sorted().toArray();
        double[] postgresCpu = phases.stream().mapToDouble(Phase::postgresCpuMs).sorted().toArray();
        return new Phase(m.maxPerSecond(), m.halfRate(), p50[p50.length / 2], p90[p90.length / 2], p99[p99.length / 2], m.maxMs(),
                m.errors(), serverCpu[serverCpu.length / 2], postgresCpu[postgresCpu.length / 2]);
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }
}
