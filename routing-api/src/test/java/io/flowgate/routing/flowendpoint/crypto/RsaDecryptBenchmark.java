package io.flowgate.routing.flowendpoint.crypto;

import io.flowgate.testkit.FlowClientCrypto;
import io.flowgate.testkit.TestKeys;


import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The raw RSA-2048 OAEP-SHA-256 decrypt rate: one private-key operation per request is the Flow
 * endpoint's cost floor, so this is the ceiling that endpoint benchmarks compare their requests per
 * second against. Each operation is done exactly as {@link FlowCrypto} does it: a new Cipher from
 * the provider, the key in the provider's own key class, the protocol's OAEP parameters.
 *
 * <p>{@link #decryptsPerSecond} and {@link #endpointCeiling} are meant to be called by later
 * benchmarks in the same run, under the same load. {@link #main} prints the figures for
 * docs/benchmarks.md: single- and two-thread rates for the JDK and ACCP, each the median of 5 runs
 * interleaved with the others, plus the rows that explain FlowCrypto's choices (key conversion, no
 * Cipher pool, ACCP for AES-GCM). Run it from the repository root with:
 *
 * <pre>
 * ./mvnw -q -B -pl routing-api -am test-compile
 * ./mvnw -q -B -pl routing-api exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.flowgate.routing.flowendpoint.crypto.RsaDecryptBenchmark [-Dexec.args="2 5"]
 * </pre>
 *
 * The second command takes the sibling modules (events, schema) from the local Maven repository; on
 * a fresh clone make the first one {@code ./mvnw -q -B -pl routing-api -am install -DskipTests}.
 * Wall-clock figures on a shared machine are noisy: medians are reported, never best runs, with the
 * rate per CPU-second beside them, which load disturbs far less.
 */
public final class RsaDecryptBenchmark {

    /** Distinct ciphertexts cycled through, so nothing can be served from a cache. */
    private static final int CIPHERTEXTS = 64;
    /** Where results go so that the JIT cannot prove them unused. */
    private static final AtomicLong BLACKHOLE = new AtomicLong();

    private RsaDecryptBenchmark() {
    }

    /**
     * RSA-2048 OAEP(SHA-256, MGF1-SHA-256) decryptions per second (wall clock) with {@code provider},
     * summed over {@code threads} threads each decrypting as fast as it can for {@code duration},
     * after a warm-up of a fifth of that (at least 200 ms) for the JIT.
     */
    public static double decryptsPerSecond(Provider provider, int threads, Duration duration) {
        return rate(rsaDecrypt(provider), threads, duration).perSecond();
    }

    /**
     * {@link #decryptsPerSecond} with the provider the endpoint uses on this machine (ACCP where it
     * loads, else the JDK): the ceiling an endpoint benchmark's requests per second compares to.
     */
    public static double endpointCeiling(int threads, Duration duration) {
        return decryptsPerSecond(CryptoProviders.rsa(), threads, duration);
    }

    /** One RSA decryption as FlowCrypto does it: a new Cipher, the provider's own key class. */
    private static Operation rsaDecrypt(Provider provider) {
        return rsaDecrypt(provider, Fixture.keyFor(provider));
    }

    /** One RSA decryption with a new Cipher and the given key object. */
    private static Operation rsaDecrypt(Provider provider, PrivateKey key) {
        return i -> {
            Cipher rsa = Cipher.getInstance(FlowCrypto.RSA_TRANSFORMATION, provider);
            rsa.init(Cipher.DECRYPT_MODE, key, FlowCrypto.OAEP_SHA256);
            return rsa.doFinal(Fixture.WRAPPED[i % CIPHERTEXTS]).length;
        };
    }

    /** As {@link #rsaDecrypt}, reusing one Cipher per thread: shows whether pooling Ciphers would pay. */
    private static Operation rsaDecryptReusingCiphers(Provider provider) {
        PrivateKey key = Fixture.keyFor(provider);
        ThreadLocal<Cipher> perThread = ThreadLocal.withInitial(() -> {
            try {
                return Cipher.getInstance(FlowCrypto.RSA_TRANSFORMATION, provider);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        return i -> {
            Cipher rsa = perThread.get();
            rsa.init(Cipher.DECRYPT_MODE, key, FlowCrypto.OAEP_SHA256);
            return rsa.doFinal(Fixture.WRAPPED[i % CIPHERTEXTS]).length;
        };
    }

    /** A whole request through {@link FlowCrypto#decrypt}: base64, RSA, AES-GCM of a 600-byte payload. */
    private static Operation requestDecrypt(Provider provider) {
        FlowCrypto crypto = new FlowCrypto(KeyRing.of(Fixture.PAIR.getPrivate(), null), provider, provider);
        FlowClientCrypto.Envelope[] requests = new FlowClientCrypto.Envelope[CIPHERTEXTS];
        byte[] payload = new byte[600];
        Arrays.fill(payload, (byte) 'x');
        for (int i = 0; i < requests.length; i++) {
            requests[i] = new FlowClientCrypto().seal(Fixture.PAIR.getPublic(), payload);
        }
        return i -> {
            FlowClientCrypto.Envelope e = requests[i % CIPHERTEXTS];
            return crypto.decrypt(e.encryptedAesKey(), e.encryptedFlowData(), e.initialVector()).plaintext().length;
        };
    }

    /** AES-128-GCM seal then open of {@code size} bytes with a 16-byte IV, new Ciphers each time. */
    private static Operation aesGcmRoundTrip(Provider provider, int size) {
        SecretKeySpec key = new SecretKeySpec(FlowClientCrypto.random(16), "AES");
        GCMParameterSpec iv = new GCMParameterSpec(FlowCrypto.GCM_TAG_BITS, FlowClientCrypto.random(16));
        byte[] plaintext = FlowClientCrypto.random(size);
        return i -> {
            Cipher seal = Cipher.getInstance(FlowCrypto.AES_TRANSFORMATION, provider);
            seal.init(Cipher.ENCRYPT_MODE, key, iv);
            Cipher open = Cipher.getInstance(FlowCrypto.AES_TRANSFORMATION, provider);
            open.init(Cipher.DECRYPT_MODE, key, iv);
            return open.doFinal(seal.doFinal(plaintext)).length;
        };
    }

    public static void main(String[] args) {
        Duration run = Duration.ofMillis((long) (1000 * (args.length > 0 ? Double.parseDouble(args[0]) : 2)));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<Provider> providers = new ArrayList<>(List.of(CryptoProviders.jdk()));
        CryptoProviders.corretto().ifPresent(providers::add);

        List<Row> rows = new ArrayList<>();
        for (Provider p : providers) {
            rows.add(new Row("RSA-2048 OAEP-SHA-256 decrypt", p, 1, rsaDecrypt(p)));
            rows.add(new Row("RSA-2048 OAEP-SHA-256 decrypt", p, 2, rsaDecrypt(p)));
        }
        for (Provider p : providers) {
            rows.add(new Row("same, one Cipher reused per thread", p, 1, rsaDecryptReusingCiphers(p)));
        }
        CryptoProviders.corretto().ifPresent(p -> rows.add(new Row("same, JDK key object not converted to ACCP's", p, 1, rsaDecrypt(p, Fixture.PAIR.getPrivate()))));
        for (Provider p : providers) {
            rows.add(new Row("FlowCrypto.decrypt, whole request (600 B)", p, 1, requestDecrypt(p)));
            rows.add(new Row("FlowCrypto.decrypt, whole request (600 B)", p, 2, requestDecrypt(p)));
        }
        for (Provider p : providers) {
            rows.add(new Row("AES-128-GCM seal+open, 1 KiB", p, 1, aesGcmRoundTrip(p, 1024)));
        }

        System.out.printf("date: %s%n", ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
        System.out.printf("machine: %d CPUs (nproc), %s; %s %s, %s%n", Runtime.getRuntime().availableProcessors(), cpuModel(),
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"), System.getProperty("os.arch"));
        System.out.printf("chosen by CryptoProviders: %s%n", CryptoProviders.describe());
        System.out.printf("load average at start: %s%n", loadAverage());
        // rounds, not row after row: on a shared machine the load changes by the minute, and
        // interleaving spreads that over every row instead of penalising whichever ran at the time
        Rate[][] results = new Rate[rows.size()][runs];
        for (int round = 0; round < runs; round++) {
            for (int r = 0; r < rows.size(); r++) {
                results[r][round] = rate(rows.get(r).operation(), rows.get(r).threads(), run);
            }
        }
        System.out.printf("load average at end: %s%n", loadAverage());
        System.out.printf("each figure: median of %d interleaved runs of %s (min-max in brackets)%n", runs, run);
        System.out.println("per CPU-second = operations / CPU time of the measuring threads: what one uncontended core would do");
        System.out.println();
        System.out.println("| measurement | provider | threads | per second (wall clock) | per CPU-second |");
        System.out.println("|---|---|---|---|---|");
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            double[] wall = Arrays.stream(results[r]).mapToDouble(Rate::perSecond).sorted().toArray();
            double[] cpu = Arrays.stream(results[r]).mapToDouble(Rate::perCpuSecond).sorted().toArray();
            System.out.printf("| %s | %s | %d | %,.0f (%,.0f-%,.0f) | %,.0f |%n", row.what(), CryptoProviders.describe(row.provider()),
                    row.threads(), median(wall), wall[0], wall[runs - 1], median(cpu));
        }
    }

    // --- machinery --------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Operation {
        /** Does the i-th operation; returns something derived from its result so the JIT cannot drop it. */
        int run(int i) throws Exception;
    }

    private record Row(String what, Provider provider, int threads, Operation operation) {
    }

    private record Rate(double perSecond, double perCpuSecond) {
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Rate rate(Operation operation, int threads, Duration duration) {
        measure(operation, threads, Duration.ofMillis(Math.max(200, duration.toMillis() / 5)));
        return measure(operation, threads, duration);
    }

    private static Rate measure(Operation operation, int threads, Duration duration) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        CountDownLatch start = new CountDownLatch(1);
        long[] counts = new long[threads];
        long[] cpuNanos = new long[threads];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        long[] window = new long[2];
        for (int t = 0; t < threads; t++) {
            int slot = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    long deadline = window[0] + duration.toNanos();
                    long cpuAtStart = mx.getCurrentThreadCpuTime();
                    long n = 0;
                    int sink = 0;
                    // offset the threads so they do not decrypt the same ciphertext in lockstep
                    for (int i = slot * 7; System.nanoTime() < deadline; i++) {
                        sink += operation.run(i);
                        n++;
                    }
                    cpuNanos[slot] = mx.getCurrentThreadCpuTime() - cpuAtStart;
                    BLACKHOLE.addAndGet(sink);
                    counts[slot] = n;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "rsa-benchmark-" + t);
            workers.add(worker);
            worker.start();
        }
        window[0] = System.nanoTime();
        start.countDown();
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        window[1] = System.nanoTime();
        if (failure.get() != null) {
            throw new IllegalStateException("the benchmark's operation failed", failure.get());
        }
        long operations = Arrays.stream(counts).sum();
        return new Rate(operations / ((window[1] - window[0]) / 1e9), operations / (Arrays.stream(cpuNanos).sum() / 1e9));
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2] + " (1, 5, 15 min)";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    /** One key pair and its ciphertexts for the whole run, so every provider decrypts the same inputs. */
    private static final class Fixture {
        static final KeyPair PAIR = TestKeys.generate();
        static final byte[][] WRAPPED = new byte[CIPHERTEXTS][];

        static {
            for (int i = 0; i < CIPHERTEXTS; i++) {
                WRAPPED[i] = FlowClientCrypto.rsaOaepSha256(PAIR.getPublic(), FlowClientCrypto.random(16));
            }
        }

        /** The private key in {@code provider}'s own key class, as FlowCrypto holds it. */
        static PrivateKey keyFor(Provider provider) {
            return FlowCrypto.inProviderKeyClass(PAIR.getPrivate(), provider);
        }
    }
}
