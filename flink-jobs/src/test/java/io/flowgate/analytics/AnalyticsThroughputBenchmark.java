package io.flowgate.analytics;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.Topics;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures the whole analytics job set from Kafka to PostgreSQL on a local MiniCluster (parallelism 2),
 * with the embedded broker and database in the same JVM:
 * <ol>
 *   <li>streaming throughput: transitions (each with its endpoint request) published beforehand, read by a
 *       bounded streaming run with checkpoints, every table written;</li>
 *   <li>batch recompute rate: the same range in {@code --mode batch};</li>
 *   <li>freshness: a live streaming job under steady load; the lag from publishing a transition to its row
 *       in {@code screen_dropoff}, and from the end of a minute to its {@code endpoint_latency} row.</li>
 * </ol>
 * Not a test (excluded from surefire): it reports, it asserts nothing. Run with
 * {@code ./mvnw -q -B -pl flink-jobs -am test-compile} then
 * {@code ./mvnw -q -B -pl flink-jobs exec:exec -Dexec.executable=java -Dexec.classpathScope=test
 * -Dexec.args="-Xmx3g -cp %classpath io.flowgate.analytics.AnalyticsThroughputBenchmark 400000 75 3"}: the number
 * of transitions, the seconds of live load for the freshness phase, and the number of bounded runs of each
 * mode. A forked JVM (exec:exec), because exec:java's class loader hides Flink's classes from the MiniCluster.
 */
public final class AnalyticsThroughputBenchmark {

    private static final int PARALLELISM = 2;
    private static final int STEPS = 4;
    private static final List<String> SCREENS = List.of("WELCOME", "DETAILS", "BUDGET", "QUOTE");

    private AnalyticsThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int transitions = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        int liveSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.printf("machine: %d cores, %d MB max heap, %s %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name"), System.getProperty("java.version"));

        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(PARALLELISM);
        kafka.createTopics(List.of(Topics.TRANSITIONS, "bench.live", Topics.STALE_SESSIONS, Topics.ALERTS), PARALLELISM);
        EmbeddedPostgresServer.shared();

        List<FlowgateEvent> events = generate(transitions, new Random(1));
        Instant to = events.get(events.size() - 1).eventTime().plus(Duration.ofMinutes(40)).truncatedTo(ChronoUnit.MINUTES);
        long produceStarted = System.nanoTime();
        publish(kafka, Topics.TRANSITIONS, events);
        System.out.printf("published %,d records (%,d transitions) in %.1f s%n", events.size(), transitions,
                (System.nanoTime() - produceStarted) / 1e9);

        // streaming and batch interleaved, run by run, so that changes in the machine's load spread over both
        List<Run> streaming = new ArrayList<>();
        List<Run> batch = new ArrayList<>();
        List<Run> consumer = new ArrayList<>();
        List<Run> floor = new ArrayList<>();
        boolean same = true;
        for (int run = 1; run <= runs; run++) {
            consumer.add(plainConsumer(kafka, Topics.TRANSITIONS, events.size()));
            floor.add(runFloor(kafka, run, to));
            AnalyticsDatabase streamingDb = AnalyticsDatabase.create("bench_streaming", Map.of("sku-1", 50, "sku-2", 0), List.of());
            streaming.add(runBounded(kafka, streamingDb, "streaming", run, to));
            AnalyticsDatabase batchDb = AnalyticsDatabase.create("bench_batch", Map.of("sku-1", 50, "sku-2", 0), List.of());
            batch.add(runBounded(kafka, batchDb, "batch", run, to));
            same &= streamingDb.dump("screen_dropoff", "flow_id, cohort_start, screen")
                    .equals(batchDb.dump("screen_dropoff", "flow_id, cohort_start, screen"))
                    && streamingDb.dump("lead_scores", "wa_id").equals(batchDb.dump("lead_scores", "wa_id"));
            System.out.printf("run %d: consumer %s | streaming %s | batch %s%n", run, consumer.get(run - 1),
                    streaming.get(run - 1), batch.get(run - 1));
            Run c = consumer.get(run - 1);
            System.out.printf("run %d ratios: plain KafkaConsumer %,.0f records/s (%.2f CPU s); %s; %s; %s%n", run,
                    events.size() / c.seconds(), c.cpuSeconds(), ratio("floor", events.size(), floor.get(run - 1), c),
                    ratio("streaming", events.size(), streaming.get(run - 1), c), ratio("batch", events.size(), batch.get(run - 1), c));
        }

        CpuMeter liveCpu = CpuMeter.start();
        Freshness freshness = liveSeconds > 0 ? liveFreshness(kafka, liveSeconds) : new Freshness(new double[0], new double[0]);
        double liveWall = liveCpu.wallSeconds();
        String liveLoadAverage = liveCpu.stop();
        String liveLoad = String.format("benchmark %.2f cores, others %.2f cores, load %s",
                liveCpu.ownCores(liveWall), liveCpu.otherCores(liveWall), liveLoadAverage);

        System.out.println();
        System.out.println("== Analytics (flink-jobs) benchmark ==");
        System.out.printf("records: %,d (%,d transitions + %,d endpoint requests), %d runs, medians%n",
                events.size(), transitions, events.size() - transitions, runs);
        report("plain KafkaConsumer (poll and count bytes)", transitions, events.size(), consumer);
        report("floor (Kafka source, parse, one keyBy, discarded)", transitions, events.size(), floor);
        report("streaming (bounded run, checkpoints every 10 s)", transitions, events.size(), streaming);
        report("batch (--mode batch)", transitions, events.size(), batch);
        System.out.printf("streaming and batch tables identical in every run: %s%n", same);
        System.out.printf("freshness screen_dropoff (publish -> row), %d probes: p50 %.2f s, p99 %.2f s, max %.2f s (%s)%n",
                freshness.dropoff.length, pct(freshness.dropoff, 50), pct(freshness.dropoff, 99), pct(freshness.dropoff, 100), liveLoad);
        System.out.printf("freshness endpoint_latency (minute end -> row), %d minutes: %s s%n",
                freshness.latency.length, Arrays.toString(Arrays.stream(freshness.latency).map(d -> Math.round(d * 100) / 100.0).toArray()));
        System.exit(0);
    }

    /** One bounded job run: its job time and how the machine's CPU was shared meanwhile. */
    record Run(double seconds, double ownCores, double otherCores, String load, double cpuSeconds, double postgresCpuSeconds) {
        @Override
        public String toString() {
            return String.format("%.1f s, %.1f CPU s of which PostgreSQL %.1f (benchmark %.2f cores, others %.2f cores, load %s)",
                    seconds, cpuSeconds, postgresCpuSeconds, ownCores, otherCores, load);
        }
    }

    /**
     * A job run against the same run's consumer: records/s over the consumer's records/s (what the target is
     * stated in), and records per CPU second over the consumer's, which the other builds on the machine disturb less.
     */
    private static String ratio(String mode, int records, Run job, Run consumer) {
        return String.format("%s %,.0f records/s = %.1f %% (%.1f CPU s, PostgreSQL %.1f; per CPU second %.1f %%)", mode,
                records / job.seconds(), 100 * consumer.seconds() / job.seconds(), job.cpuSeconds(), job.postgresCpuSeconds(),
                100 * consumer.cpuSeconds() / job.cpuSeconds());
    }

    private static void report(String what, int transitions, int records, List<Run> runs) {
        double seconds = runs.stream().mapToDouble(Run::seconds).sorted().toArray()[runs.size() / 2];
        System.out.printf("%s: median %.1f s -> %,.0f transitions/s (%,.0f per core), %,.0f records/s; runs: %s%n",
                what, seconds, transitions / seconds, transitions / seconds / PARALLELISM, records / seconds,
                runs.stream().map(r -> String.format("%,.0f/s", transitions / r.seconds())).toList());
    }

    /**
     * The ceiling the job is compared with: a plain KafkaConsumer reading the same records from the beginning
     * of every partition, doing nothing but count them and their bytes.
     */
    private static Run plainConsumer(EmbeddedKafkaBroker kafka, String topic, int records) {
        CpuMeter cpu = CpuMeter.start();
        long count = 0;
        long bytes = 0;
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (count < records) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    count++;
                    bytes += r.value() == null ? 0 : r.value().length;
                }
            }
        }
        double wall = cpu.wallSeconds();
        String load = cpu.stop();
        System.out.printf("plain KafkaConsumer: %,d records, %,d bytes in %.2f s%n", count, bytes, wall);
        return new Run(wall, cpu.ownCores(wall), cpu.otherCores(wall), load, cpu.cpuSeconds(), cpu.childSeconds());
    }

    /** Sessions of four steps, started over two hours; a third abandon, some pick an item; one request per step. */
    static List<FlowgateEvent> generate(int transitions, Random random) {
        int sessions = transitions / STEPS + 1;
        Instant start = Instant.parse("2026-11-20T08:00:00Z");
        List<FlowgateEvent> events = new ArrayList<>(transitions * 2);
        int made = 0;
        for (int s = 0; made < transitions; s++) {
            String session = "b" + s;
            String user = "w" + random.nextInt(sessions / 2 + 1);
            Instant begin = start.plusMillis(random.nextInt(2 * 3_600_000));
            Instant t = begin;
            boolean abandons = random.nextInt(3) == 0;
            int steps = abandons ? 1 + random.nextInt(STEPS - 1) : STEPS;
            for (int i = 0; i < steps && made < transitions; i++, made++) {
                boolean last = i == STEPS - 1;
                Map<String, String> fields = i == 1 ? Map.of("item_id", "sku-" + (1 + random.nextInt(20)), "budget", "12000")
                        : i == 2 ? Map.of("industry", "retail", "timeline", "now") : Map.of();
                String to = last ? "SUCCESS" : SCREENS.get(i);
                events.add(new FlowTransition("bt-" + s + "-" + i, t, "bench_form", session, user, begin,
                        i == 0 ? "" : SCREENS.get(i - 1), to, i == 0 ? "INIT" : "data_exchange", fields, last, false,
                        FlowTransition.SOURCE_FLOW));
                events.add(new EndpointRequest("br-" + s + "-" + i, t, "bench_form", session, i == 0 ? "" : SCREENS.get(i - 1),
                        i == 0 ? "INIT" : "data_exchange", random.nextInt(100) == 0 ? 500 : 200, EndpointRequest.OUTCOME_OK,
                        (long) (5_000 * Math.exp(random.nextDouble() * Math.log(100)))));
                t = t.plusSeconds(5 + random.nextInt(40));
            }
        }
        events.sort(Comparator.comparing(FlowgateEvent::eventTime));
        return events;
    }

    private static KafkaProducer<String, byte[]> producer(EmbeddedKafkaBroker kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "5", ProducerConfig.BATCH_SIZE_CONFIG, "262144",
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new ByteArraySerializer());
    }

    static void publish(EmbeddedKafkaBroker kafka, String topic, List<FlowgateEvent> events) {
        try (var producer = producer(kafka)) {
            for (FlowgateEvent e : events) {
                producer.send(new ProducerRecord<>(topic, null, e.eventTime().toEpochMilli(), e.key(), EventJson.toBytes(e)));
            }
        }
    }

    static StreamExecutionEnvironment localEnvironment() {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, PARALLELISM);
        return StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
    }

    private static Run runBounded(EmbeddedKafkaBroker kafka, AnalyticsDatabase db, String mode, int run, Instant to) throws Exception {
        StreamExecutionEnvironment env = localEnvironment();
        AnalyticsJobs.buildInto(env, AnalyticsOptions.fromArgs("--kafka-bootstrap", kafka.bootstrapServers(),
                "--group-id", "bench-" + mode + "-" + run, "--jdbc-url", db.url, "--jdbc-user", "postgres", "--mode", mode,
                "--checkpoint-dir", checkpointDir("bench-" + mode),
                "--to", to.toString(), "--parallelism", Integer.toString(PARALLELISM)));
        long walStart = walPosition();
        CpuMeter cpu = CpuMeter.start();
        JobExecutionResult result = env.execute("bench-" + mode);
        double wall = cpu.wallSeconds();
        String load = cpu.stop();
        writes(db, mode, run, walStart);
        return new Run(result.getNetRuntime() / 1000.0, cpu.ownCores(wall), cpu.otherCores(wall), load, cpu.cpuSeconds(), cpu.childSeconds());
    }

    /** Where the server's write-ahead log is now (cluster-wide: the phases run one after the other). */
    private static long walPosition() throws Exception {
        try (Connection c = DriverManager.getConnection(EmbeddedPostgresServer.shared().jdbcUrl("postgres"), "postgres", "");
             var st = c.createStatement(); var rs = st.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * What a run asked of PostgreSQL (its database is fresh): per table rows inserted, updated (of which HOT) and
     * live at the end, the database's commits, and the WAL bytes written meanwhile. The server's statistics reach
     * the views when a backend goes idle or exits, so they are read after the job's connections closed.
     */
    private static void writes(AnalyticsDatabase db, String mode, int run, long walStart) throws Exception {
        Thread.sleep(1_500);
        long wal = walPosition() - walStart;
        List<String> tables = db.query("""
                SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_live_tup FROM pg_stat_user_tables
                 WHERE n_tup_ins + n_tup_upd > 0 ORDER BY n_tup_ins + n_tup_upd DESC""");
        List<String> commits = db.query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
        System.out.printf("run %d %s writes: WAL %.1f MB, commits %s; per table name|inserted|updated|hot|live: %s%n",
                run, mode, wal / 1e6, commits, tables);
    }

    /**
     * What Flink itself costs here, the job's floor: the same source and parse on the same MiniCluster (parallelism
     * 2, streaming, checkpoints as the job), every record sent once across the network by session key and dropped.
     */
    private static Run runFloor(EmbeddedKafkaBroker kafka, int run, Instant to) throws Exception {
        StreamExecutionEnvironment env = localEnvironment();
        AnalyticsOptions options = AnalyticsOptions.fromArgs("--kafka-bootstrap", kafka.bootstrapServers(),
                "--group-id", "bench-floor-" + run, "--jdbc-url", "jdbc:postgresql://unused/unused",
                "--checkpoint-dir", checkpointDir("bench-floor"), "--to", to.toString(),
                "--parallelism", Integer.toString(PARALLELISM));
        AnalyticsJobs.configure(env, options);
        env.fromSource(AnalyticsSources.transitions(options).build(), WatermarkStrategy.noWatermarks(), "transitions")
                .keyBy(e -> e.step() != null ? e.step().sessionId() : e.call() != null ? e.call().eventId() : "heartbeat")
                .sinkTo(new DiscardingSink<>());
        CpuMeter cpu = CpuMeter.start();
        JobExecutionResult result = env.execute("bench-floor");
        double wall = cpu.wallSeconds();
        String load = cpu.stop();
        return new Run(result.getNetRuntime() / 1000.0, cpu.ownCores(wall), cpu.otherCores(wall), load, cpu.cpuSeconds(), cpu.childSeconds());
    }

    /**
     * How the machine's CPU was shared during a phase: this JVM and its children (the embedded PostgreSQL)
     * against everything else, from /proc/stat, plus the load average at both ends.
     */
    static final class CpuMeter {
        private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
        private final long startNanos = System.nanoTime();
        private final double machineBusyStart = machineBusySeconds();
        private final double ownStart = ownSeconds();
        private final double childStart = childrenSeconds();
        private double childEnd;
        private final String loadStart = loadAverage();
        private double machineBusyEnd;
        private double ownEnd;

        static CpuMeter start() {
            return new CpuMeter();
        }

        double wallSeconds() {
            return (System.nanoTime() - startNanos) / 1e9;
        }

        String stop() {
            machineBusyEnd = machineBusySeconds();
            ownEnd = ownSeconds();
            childEnd = childrenSeconds();
            return loadStart + " -> " + loadAverage();
        }

        /** CPU seconds this JVM and the embedded PostgreSQL server used during the phase. */
        double cpuSeconds() {
            return ownEnd - ownStart;
        }

        /** CPU seconds of the embedded PostgreSQL server (postmaster, backends, background processes). */
        double childSeconds() {
            return childEnd - childStart;
        }

        double ownCores(double wall) {
            return (ownEnd - ownStart) / wall;
        }

        double otherCores(double wall) {
            return Math.max(0, (machineBusyEnd - machineBusyStart) - (ownEnd - ownStart)) / wall;
        }

        private static double machineBusySeconds() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                return (total - idle) / TICKS_PER_SECOND;
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }

        private static double ownSeconds() {
            return cpuSeconds(ProcessHandle.current()) + childrenSeconds(); // this JVM and the PostgreSQL server
        }

        /**
         * The embedded PostgreSQL server's CPU: the postmaster (started detached, so not this JVM's child, found by
         * its port) with its living processes, and the backends it reaped (their time is in its cutime/cstime).
         */
        private static double childrenSeconds() {
            String port = "-p " + EmbeddedPostgresServer.shared().port() + " ";
            return ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains("postgres") && c.contains(port)).orElse(false))
                    .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants()))
                    .mapToDouble(CpuMeter::withReapedChildren).sum();
        }

        private static double withReapedChildren(ProcessHandle p) {
            try {
                String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // after the command: state is field 3; utime, stime, cutime, cstime are fields 14 to 17
                return (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]))
                        / TICKS_PER_SECOND;
            } catch (IOException | RuntimeException e) {
                return cpuSeconds(p);
            }
        }

        private static double cpuSeconds(ProcessHandle p) {
            return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
        }

        private static String loadAverage() {
            try {
                return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
            } catch (IOException e) {
                return "?";
            }
        }
    }

    static String checkpointDir(String name) throws IOException {
        return Files.createTempDirectory("flowgate-" + name + "-").toUri().toString();
    }

    record Freshness(double[] dropoff, double[] latency) {
    }

    /**
     * A live job on its own topic and database; a producer thread keeps {@code rate} transitions (and their
     * requests) per second flowing with event time = now, while probes measure how long their rows take.
     */
    private static Freshness liveFreshness(EmbeddedKafkaBroker kafka, int seconds) throws Exception {
        AnalyticsDatabase db = AnalyticsDatabase.create("bench_live", Map.of(), List.of());
        StreamExecutionEnvironment env = localEnvironment();
        AnalyticsJobs.buildInto(env, AnalyticsOptions.fromArgs("--kafka-bootstrap", kafka.bootstrapServers(),
                "--topic", "bench.live", "--group-id", "bench-live", "--jdbc-url", db.url, "--jdbc-user", "postgres",
                "--checkpoint-dir", checkpointDir("bench-live"),
                "--parallelism", Integer.toString(PARALLELISM)));
        JobClient job = env.executeAsync("bench-live");
        AtomicBoolean running = new AtomicBoolean(true);
        int rate = 2_000;
        Thread load = new Thread(() -> steadyLoad(kafka, rate, running), "bench-load");
        load.start();
        Thread.sleep(5_000);

        List<Double> dropoff = new ArrayList<>();
        List<Double> latency = new ArrayList<>();
        long end = System.currentTimeMillis() + seconds * 1000L;
        long nextMinuteEnd = (System.currentTimeMillis() / 60_000 + 1) * 60_000;
        try (var producer = producer(kafka); Connection c = DriverManager.getConnection(db.url, "postgres", "")) {
            int probe = 0;
            while (System.currentTimeMillis() < end) {
                String screen = "PROBE_" + probe++;
                Instant now = Instant.now();
                FlowTransition t = new FlowTransition("probe-" + probe, now, "probe", "probe-" + probe, "probe-user", now,
                        "", screen, "INIT", Map.of(), false, false, FlowTransition.SOURCE_FLOW);
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>("bench.live", null, now.toEpochMilli(), t.key(), EventJson.toBytes(t)));
                producer.flush();
                if (waitForRow(c, "SELECT 1 FROM screen_dropoff WHERE flow_id = 'probe' AND screen = '" + screen + "'", 30_000)) {
                    dropoff.add((System.nanoTime() - sent) / 1e9);
                }
                if (System.currentTimeMillis() >= nextMinuteEnd) {
                    Instant minute = Instant.ofEpochMilli(nextMinuteEnd - 60_000);
                    if (waitForRow(c, "SELECT 1 FROM endpoint_latency WHERE screen = 'LOAD' AND minute = '" + minute + "'", 30_000)) {
                        latency.add((System.currentTimeMillis() - nextMinuteEnd) / 1000.0);
                    }
                    nextMinuteEnd += 60_000;
                }
                Thread.sleep(Math.max(0, 1_000 - (System.nanoTime() - sent) / 1_000_000));
            }
        } finally {
            running.set(false);
            load.join();
            job.cancel().get();
        }
        return new Freshness(dropoff.stream().mapToDouble(Double::doubleValue).sorted().toArray(),
                latency.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static void steadyLoad(EmbeddedKafkaBroker kafka, int rate, AtomicBoolean running) {
        Random random = new Random(2);
        try (var producer = producer(kafka)) {
            long n = 0;
            long started = System.nanoTime();
            while (running.get()) {
                Instant now = Instant.now();
                String session = "live-" + (n / STEPS);
                int step = (int) (n % STEPS);
                FlowTransition t = new FlowTransition("lt-" + n, now, "bench_form", session, "lw-" + (n / STEPS), now,
                        "", SCREENS.get(step), "data_exchange", Map.of(), false, false, FlowTransition.SOURCE_FLOW);
                EndpointRequest r = new EndpointRequest("lr-" + n, now, "bench_form", session, "LOAD", "data_exchange",
                        200, EndpointRequest.OUTCOME_OK, 2_000 + random.nextInt(50_000));
                producer.send(new ProducerRecord<>("bench.live", null, now.toEpochMilli(), t.key(), EventJson.toBytes(t)));
                producer.send(new ProducerRecord<>("bench.live", null, now.toEpochMilli(), r.key(), EventJson.toBytes(r)));
                n++;
                long due = started + n * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean waitForRow(Connection c, String sql, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
                if (rs.next()) {
                    return true;
                }
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }
}
