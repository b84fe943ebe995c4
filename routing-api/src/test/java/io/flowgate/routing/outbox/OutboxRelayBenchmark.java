package io.flowgate.routing.outbox;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventJson;
import io.flowgate.events.Topics;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;

/**
 * How fast the outbox relay publishes, and how far behind it falls while transitions commit at a steady
 * rate. A measurement, not a test (surefire skips {@code *Benchmark*}); docs/benchmarks.md, section
 * "Outbox relay", has the command and the figures.
 *
 * <p>Each run uses a fresh database and a real routing-api (its relay included) against an in-process
 * broker:
 * <ol>
 *   <li>steady: {@value #WRITERS} threads commit a business row plus its transition event, paced to
 *       {@code rate} transactions per second in total, for {@code seconds}; the unpublished rows are counted
 *       every 100 ms, and a consumer measures the time from the event's creation (just before its commit)
 *       to its arrival;</li>
 *   <li>drain: {@value #BULK} rows are committed at once; the time the relay takes to empty the table is
 *       its throughput.</li>
 * </ol>
 * The median of {@code runs} runs is printed. Arguments: {@code [rate=2000] [seconds=30] [runs=3]}.
 */
final class OutboxRelayBenchmark {

    private static final int WRITERS = 8;
    private static final int SESSIONS = 1_000;
    private static final int BULK = 100_000;

    private record Run(double committedPerSecond, double publishedPerSecond, double backlogMean, double backlogMax,
                       double latencyP50Ms, double latencyP99Ms, double latencyMaxMs, double ownCores,
                       double otherCores, double drainPerSecond) {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.printf("outbox relay benchmark: %d tx/s for %d s, %d run(s); %d cores, %s%n",
                rate, seconds, runs, Runtime.getRuntime().availableProcessors(), cpuModel());

        List<Run> results = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(4)) {
            for (int i = 1; i <= runs; i++) {
                try (OutboxApp app = OutboxApp.start(broker.bootstrapServers(), null,
                        Map.of("logging.level.root", "WARN", "flowgate.kafka.relay-poll-interval", "500ms"))) {
                    app.awaitKafkaAvailable();
                    Run run = steady(app, broker.bootstrapServers(), rate, seconds);
                    run = new Run(run.committedPerSecond(), run.publishedPerSecond(), run.backlogMean(), run.backlogMax(),
                            run.latencyP50Ms(), run.latencyP99Ms(), run.latencyMaxMs(), run.ownCores(), run.otherCores(), drain(app));
                    results.add(run);
                    System.out.printf("run %d: %s%n", i, run);
                }
            }
        }
        System.out.println();
        System.out.printf("| figure (offered %,d tx/s for %d s, one event each; median of %d runs) | value |%n", rate, seconds, runs);
        System.out.println("|---|---|");
        row("committed (events/s)", results, Run::committedPerSecond);
        row("published by the relay meanwhile (events/s)", results, Run::publishedPerSecond);
        row("backlog, mean (events)", results, Run::backlogMean);
        row("backlog, max (events)", results, Run::backlogMax);
        row("backlog, max (seconds of events)", results, r -> r.backlogMax() / r.committedPerSecond());
        row("commit → consumer latency p50 (ms)", results, Run::latencyP50Ms);
        row("commit → consumer latency p99 (ms)", results, Run::latencyP99Ms);
        row("commit → consumer latency max (ms)", results, Run::latencyMaxMs);
        row("relay draining " + BULK + " committed rows (events/s)", results, Run::drainPerSecond);
        row("CPU used by the benchmark (this JVM and its PostgreSQL) while committing (cores)", results, Run::ownCores);
        row("CPU used by other processes meanwhile (cores)", results, Run::otherCores);
        System.exit(0);
    }

    private static Run steady(OutboxApp app, String bootstrapServers, int rate, int seconds) throws Exception {
        AtomicBoolean consuming = new AtomicBoolean(true);
        Histogram latencyMicros = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        AtomicLong consumed = new AtomicLong();
        ExecutorService threads = Executors.newFixedThreadPool(WRITERS + 2);
        Future<?> consumer = threads.submit(() -> consume(bootstrapServers, consuming, latencyMicros, consumed));
        Thread.sleep(1_000); // the consumer is positioned at the end before anything is written

        double publishedBefore = app.counter("flowgate.outbox.published");
        CpuShare cpu = CpuShare.start(URI.create(app.instance().dbUrl().substring("jdbc:".length())).getPort());
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * WRITERS / rate;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong committed = new AtomicLong();
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(threads.submit(() -> {
                long due = start + intervalNanos * writer / WRITERS;
                for (int step = 0; due < end; step++, due += intervalNanos) {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    app.commitStep("bench-" + (writer + WRITERS * (step % (SESSIONS / WRITERS))), step);
                    committed.incrementAndGet();
                }
                return null;
            }));
        }
        List<Long> backlog = new ArrayList<>();
        while (System.nanoTime() < end) {
            backlog.add(app.outboxRows());
            Thread.sleep(100);
        }
        for (Future<?> w : writers) {
            w.get();
        }
        double ownCores = cpu.ownCores();
        double otherCores = cpu.otherCores();
        double elapsed = (System.nanoTime() - start) / 1e9;
        double publishedPerSecond = (app.counter("flowgate.outbox.published") - publishedBefore) / elapsed;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (consumed.get() < committed.get() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        consuming.set(false);
        consumer.get();
        threads.shutdown();
        if (consumed.get() < committed.get()) {
            throw new IllegalStateException("only " + consumed.get() + " of " + committed.get() + " events arrived");
        }
        return new Run(committed.get() / elapsed, publishedPerSecond,
                backlog.stream().mapToLong(Long::longValue).average().orElse(0),
                backlog.stream().mapToLong(Long::longValue).max().orElse(0),
                latencyMicros.getValueAtPercentile(50) / 1000.0, latencyMicros.getValueAtPercentile(99) / 1000.0,
                latencyMicros.getMaxValue() / 1000.0, ownCores, otherCores, 0);
    }

    /** Events per second the relay publishes from a full table, with nothing else going on. */
    private static double drain(OutboxApp app) throws InterruptedException {
        String json = EventJson.toJson(OutboxApp.step("bench-drain", 1));
        app.jdbc().sql("""
                INSERT INTO outbox (event_id, topic, record_key, payload)
                SELECT 'drain-' || g, :topic, 'bench-' || (g % :sessions), CAST(:json AS json)
                FROM generate_series(1, :rows) g""")
                .param("topic", Topics.TRANSITIONS).param("sessions", SESSIONS).param("json", json).param("rows", BULK)
                .update();
        long start = System.nanoTime();
        app.jdbc().sql("SELECT pg_notify('" + RelayWakeup.CHANNEL + "', '')").query().singleRow();
        while (app.outboxRows() > 0) {
            Thread.sleep(20);
        }
        return BULK / ((System.nanoTime() - start) / 1e9);
    }

    private static Void consume(String bootstrapServers, AtomicBoolean consuming, Histogram latencyMicros, AtomicLong consumed) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TRANSITIONS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (consuming.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    Instant created = EventJson.fromBytes(r.value()).eventTime();
                    long micros = Duration.between(created, Instant.now()).toNanos() / 1_000;
                    latencyMicros.recordValue(Math.max(0, Math.min(micros, latencyMicros.getHighestTrackableValue())));
                    consumed.incrementAndGet();
                }
            }
        }
        return null;
    }

    private static void row(String name, List<Run> runs, ToDoubleFunction<Run> figure) {
        double value = median(runs, figure);
        System.out.printf("| %s | %s |%n", name, value >= 100 ? String.format("%,.0f", value) : String.format("%.2f", value));
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> figure) {
        List<Run> sorted = runs.stream().sorted(Comparator.comparingDouble(figure)).toList();
        return figure.applyAsDouble(sorted.get(sorted.size() / 2));
    }

    /**
     * The cores that processes other than this benchmark (this JVM and its PostgreSQL server) kept busy:
     * the machine is shared, and this says how much of it the figures had.
     */
    private record CpuShare(int postgresPort, long busyTicksAtStart, long ownNanosAtStart, long startedNanos) {

        static CpuShare start(int postgresPort) {
            return new CpuShare(postgresPort, systemBusyTicks(), ownCpuNanos(postgresPort), System.nanoTime());
        }

        double ownCores() {
            return (ownCpuNanos(postgresPort) - ownNanosAtStart) / 1e9 / seconds();
        }

        double otherCores() {
            double busyCores = (systemBusyTicks() - busyTicksAtStart) / 100.0 / seconds(); // USER_HZ is 100 on Linux
            return Math.max(0, busyCores - ownCores());
        }

        private double seconds() {
            return (System.nanoTime() - startedNanos) / 1e9;
        }

        private static long systemBusyTicks() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    total += Long.parseLong(f[i]);
                }
                return total - Long.parseLong(f[4]) - Long.parseLong(f[5]); // minus idle and iowait
            } catch (Exception e) {
                return 0;
            }
        }

        /** This JVM plus the PostgreSQL server on {@code port} (a daemon, so not among this JVM's children). */
        private static long ownCpuNanos(int port) {
            long nanos = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
            String portArg = "-p " + port + " ";
            return nanos + ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains("postgres") && c.contains(portArg)).orElse(false))
                    .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants()))
                    .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
