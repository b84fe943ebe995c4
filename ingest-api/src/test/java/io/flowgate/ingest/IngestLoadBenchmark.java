package io.flowgate.ingest;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.testkit.HubSignature;
import org.HdrHistogram.Histogram;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.flowgate.testkit.MetaWebhooks.contact;
import static io.flowgate.testkit.MetaWebhooks.envelope;
import static io.flowgate.testkit.MetaWebhooks.messageWebhook;
import static io.flowgate.testkit.MetaWebhooks.text;
import static io.flowgate.testkit.MetaWebhooks.value;
import static io.flowgate.testkit.MetaWebhooks.wamid;

/**
 * Load run of POST /webhook: ingest-api and a Kafka broker in this JVM, on localhost, and
 * {@code bench.clients} clients each posting signed single-message webhooks back to back over
 * keep-alive HTTP/1.1 for {@code bench.seconds}. Latency is measured by the client from the first
 * byte written to the last byte of the answer, so it includes the signature check, the parsing and
 * Kafka's acknowledgement (acks=all). Closed loop: a slow answer delays the client's next request, so
 * the percentiles are those of the requests made, not of a fixed arrival rate.
 *
 * <p>Then one 3 MB webhook of 1,000 updates is timed the same way. Everything is repeated
 * {@code bench.runs} times after a warm-up, and the median run is reported. Not a test: surefire
 * skips files named *Benchmark*; the command is in docs/benchmarks.md.
 */
public final class IngestLoadBenchmark {

    private static final int CLIENTS = Integer.getInteger("bench.clients", 32);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 30);
    private static final int RUNS = Integer.getInteger("bench.runs", 3);
    /** Distinct pre-signed webhooks cycled through, so that the client spends no CPU signing. */
    private static final int DISTINCT_WEBHOOKS = 20_000;

    private IngestLoadBenchmark() {
    }

    /**
     * @param ownCores    cores used by this JVM (clients, ingest-api, Kafka) during the run
     * @param otherCores  cores used by every other process on the machine meanwhile (other engineers' builds)
     */
    record RunResult(long ok, long refused, Map<Integer, Long> statuses, double seconds, Histogram latencyMicros, double batchMillis,
                     double ownCores, double otherCores) {
        double perSecond() {
            return ok / seconds;
        }

        double ms(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.printf(Locale.ROOT, "ingest load: %d clients, %d s per run, %d runs after %d s warm-up, %d cores, Java %s%n",
                CLIENTS, SECONDS, RUNS, WARMUP_SECONDS, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(4);
             IngestApp app = IngestApp.start(kafka.bootstrapServers(), settings())) {
            List<byte[]> requests = singleMessageRequests(app.port());
            byte[] batch = request(app.port(), thousandUpdateBatch());

            load(app.port(), requests, WARMUP_SECONDS);
            List<RunResult> results = new ArrayList<>();
            for (int run = 1; run <= RUNS; run++) {
                RunResult result = load(app.port(), requests, SECONDS);
                result = new RunResult(result.ok(), result.refused(), result.statuses(), result.seconds(), result.latencyMicros(),
                        timeBatch(app.port(), batch), result.ownCores(), result.otherCores());
                results.add(result);
                System.out.printf(Locale.ROOT, "run %d: %,.0f webhooks/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.1f ms, "
                                + "statuses %s; 3 MB batch of 1,000 updates (%,d bytes) accepted in %.0f ms; "
                                + "CPU: this JVM %.2f cores, other processes %.2f cores%n",
                        run, result.perSecond(), result.ms(50), result.ms(90), result.ms(99),
                        result.latencyMicros().getMaxValue() / 1000.0, result.statuses(), batch.length, result.batchMillis(),
                        result.ownCores(), result.otherCores());
            }
            results.sort((a, b) -> Double.compare(a.perSecond(), b.perSecond()));
            RunResult median = results.get(results.size() / 2);
            List<Double> batches = results.stream().map(RunResult::batchMillis).sorted().toList();
            System.out.printf(Locale.ROOT, "median run: %,.0f webhooks/s, p50 %.2f ms, p99 %.2f ms (other processes used %.2f cores); "
                            + "median 3 MB batch: %.0f ms%n",
                    median.perSecond(), median.ms(50), median.ms(99), median.otherCores(), batches.get(batches.size() / 2));
        }
    }

    /** Room for every client, plus any {@code -Dflowgate.ingest.*} given on the command line, to compare settings. */
    private static Map<String, Object> settings() {
        Map<String, Object> settings = new TreeMap<>();
        settings.put("flowgate.ingest.max-in-flight", Math.max(64, 2 * CLIENTS));
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith("flowgate.ingest."))
                .forEach(name -> settings.put(name, System.getProperty(name)));
        if (settings.size() > 1) {
            System.out.println("settings: " + settings);
        }
        return settings;
    }

    private static RunResult load(int port, List<byte[]> requests, int seconds) throws Exception {
        CpuShare cpu = CpuShare.start();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Client>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int first = c * (requests.size() / CLIENTS);
                clients.add(pool.submit(() -> {
                    Client client = new Client(port);
                    for (int i = first; System.nanoTime() < end; i++) {
                        client.post(requests.get(i % requests.size()));
                    }
                    client.close();
                    return client;
                }));
            }
            long started = System.nanoTime();
            Histogram all = new Histogram(60_000_000L, 3);
            Map<Integer, Long> statuses = new TreeMap<>();
            for (Future<Client> f : clients) {
                Client client = f.get();
                all.add(client.latencyMicros);
                client.statuses.forEach((status, n) -> statuses.merge(status, n, Long::sum));
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            long ok = statuses.getOrDefault(200, 0L);
            cpu.stop();
            return new RunResult(ok, all.getTotalCount() - ok, statuses, elapsed, all, 0, cpu.ownCores, cpu.otherCores);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * How the machine's CPU was shared during a run, from /proc/stat (all processes) and this JVM's
     * own CPU time: the figures only mean something next to how much of the machine they got.
     */
    private static final class CpuShare {
        private final long wallStart = System.nanoTime();
        private final long machineBusyStart = machineBusyNanos();
        private final long ownStart = ownCpuNanos();
        double ownCores = Double.NaN;
        double otherCores = Double.NaN;

        static CpuShare start() {
            return new CpuShare();
        }

        void stop() {
            double wall = System.nanoTime() - wallStart;
            double own = ownCpuNanos() - ownStart;
            long busy = machineBusyNanos();
            ownCores = own / wall;
            if (busy >= 0 && machineBusyStart >= 0) {
                otherCores = Math.max(0, (busy - machineBusyStart - own) / wall);
            }
        }

        private static long ownCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }

        /** Busy time of all cores (user, nice, system, irq, softirq, steal), or -1 off Linux. */
        private static long machineBusyNanos() {
            try {
                String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long ticks = 0;
                for (int i : new int[]{1, 2, 3, 6, 7, 8}) {
                    ticks += Long.parseLong(f[i]);
                }
                return ticks * 10_000_000L; // USER_HZ is 100 on Linux
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    private static double timeBatch(int port, byte[] batch) throws IOException {
        try (Client client = new Client(port)) {
            long started = System.nanoTime();
            int status = client.post(batch);
            double millis = (System.nanoTime() - started) / 1e6;
            if (status != 200) {
                throw new IllegalStateException("the 3 MB batch was answered " + status);
            }
            return millis;
        }
    }

    private static List<byte[]> singleMessageRequests(int port) {
        List<byte[]> requests = new ArrayList<>(DISTINCT_WEBHOOKS);
        for (int i = 0; i < DISTINCT_WEBHOOKS; i++) {
            String from = "1650" + String.format("%07d", i);
            requests.add(request(port, messageWebhook(contact(from), text(from, wamid(), "I would like a quote for 20 units"))));
        }
        return requests;
    }

    private static String thousandUpdateBatch() {
        List<String> contacts = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        String filler = "x".repeat(2_880);
        for (int i = 0; i < 1000; i++) {
            String from = "1651" + String.format("%07d", i);
            contacts.add(contact(from));
            messages.add(text(from, wamid(), filler));
        }
        return envelope(value(contacts, messages, List.of(), List.of()));
    }

    private static byte[] request(int port, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST /webhook HTTP/1.1\r\nHost: localhost:" + port + "\r\nContent-Type: application/json\r\n"
                + "X-Hub-Signature-256: " + HubSignature.of(body, IngestApp.APP_SECRET) + "\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] head8 = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head8.length + body.length];
        System.arraycopy(head8, 0, request, 0, head8.length);
        System.arraycopy(body, 0, request, head8.length, body.length);
        return request;
    }

    /**
     * A minimal keep-alive HTTP/1.1 client: pre-built requests, status line and headers parsed,
     * body skipped. It spends far less CPU than a general client, which matters when the clients,
     * the server and Kafka share two cores. Reconnects when the server closes the connection
     * (Tomcat closes after 100 requests on one connection by default).
     */
    private static final class Client implements AutoCloseable {
        private final int port;
        private final Histogram latencyMicros = new Histogram(60_000_000L, 3);
        private final Map<Integer, Long> statuses = new TreeMap<>();
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Client(int port) {
            this.port = port;
        }

        int post(byte[] request) throws IOException {
            if (socket == null) {
                socket = new Socket("localhost", port);
                socket.setTcpNoDelay(true);
                in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                out = socket.getOutputStream();
            }
            long started = System.nanoTime();
            int status;
            try {
                out.write(request);
                out.flush();
                status = readResponse();
            } catch (IOException e) {
                // counted as status 0, and the next request opens a new connection
                status = 0;
                close();
            }
            latencyMicros.recordValue(Math.max(1, (System.nanoTime() - started) / 1000));
            statuses.merge(status, 1L, Long::sum);
            return status;
        }

        private int readResponse() throws IOException {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String h = header.toLowerCase(Locale.ROOT);
                if (h.startsWith("content-length:")) {
                    length = Long.parseLong(h.substring(15).trim());
                } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                    chunked = true;
                } else if (h.startsWith("connection:") && h.contains("close")) {
                    close = true;
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().trim(), 16); size > 0; size = Long.parseLong(line().trim(), 16)) {
                    in.skipNBytes(size);
                    line();
                }
                line();
            } else if (length > 0) {
                in.skipNBytes(length);
            }
            if (close) {
                close();
            }
            return status;
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new EOFException("connection closed mid-response");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }
    }
}
