package io.flowgate.routing.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real PostgreSQL server stopped ({@code pg_ctl -m fast}, connections cut) and started again on the same
 * data directory and port while the Flow endpoint and the admin API are under continuous load: no answer
 * is a 500, the outage is answered 503 with {@code Retry-After}, and both recover without a restart of
 * routing-api.
 */
class DatabaseOutageTest {

    private static EmbeddedPostgresServer postgres;
    private static RoutingApiInstance app;
    private static Path dataDirectory;

    @BeforeAll
    static void start() throws Exception {
        dataDirectory = Files.createTempDirectory("flowgate-outage-pg-");
        postgres = EmbeddedPostgresServer.start(0, dataDirectory.resolve("data"));
        app = RoutingApiInstance.builder().database(postgres.newDatabase("outage")).start();
        app.uploadFlow("outage", "linear.json");
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        try (var files = Files.walk(dataDirectory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Status counts, and how many 503s came without Retry-After, of one kind of request. */
    record Tally(Map<Integer, LongAdder> statuses, LongAdder without503RetryAfter, AtomicLong lastOkAfterRestart) {
        Tally() {
            this(new ConcurrentHashMap<>(), new LongAdder(), new AtomicLong());
        }

        void count(int status, boolean retryAfter, boolean restarted) {
            statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
            if (status == 503 && !retryAfter) {
                without503RetryAfter.increment();
            }
            if (status == 200 && restarted) {
                lastOkAfterRestart.incrementAndGet();
            }
        }

        long of(int status) {
            LongAdder n = statuses.get(status);
            return n == null ? 0 : n.sum();
        }

        long total() {
            return statuses.values().stream().mapToLong(LongAdder::sum).sum();
        }
    }

    @Test
    void aRestartOfPostgresUnderLoadIsAnswered503WithRetryAfterAndRecoversWithoutA500() throws Exception {
        List<String> tokens = new ArrayList<>();
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonNode minted = app.mint("1555800000" + i, "outage", null);
            tokens.add(minted.path("flow_token").asText());
            sessions.add(minted.path("session_id").asText());
        }
        Tally flow = new Tally();
        Tally admin = new Tally();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean restarted = new AtomicBoolean(false);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService load = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            WhatsAppFlowClient client = app.client();
            String token = tokens.get(w);
            workers.add(load.submit(() -> {
                int i = 0;
                while (running.get()) {
                    // INIT and a data exchange in turn: a read, a row lock and a write each time
                    var request = i++ % 2 == 0 ? payload("INIT", "", token) : payload("data_exchange", "WELCOME", token);
                    request.with("data").put("name", "Ana " + i);
                    WhatsAppFlowClient.Sealed sealed = client.seal(request);
                    var response = client.postRaw(sealed.body(), client.signature(sealed.body()));
                    flow.count(response.statusCode(), response.headers().firstValue("Retry-After").isPresent(), restarted.get());
                }
                return null;
            }));
        }
        for (int w = 0; w < 2; w++) {
            URI uri = app.uri("/api/flow-sessions/" + sessions.get(2 + w));
            workers.add(load.submit(() -> {
                while (running.get()) {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                            .header("Authorization", "Bearer " + RoutingApiInstance.ADMIN_TOKEN).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    admin.count(response.statusCode(), response.headers().firstValue("Retry-After").isPresent(), restarted.get());
                }
                return null;
            }));
        }
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> flow.of(200) >= 10 && admin.of(200) >= 10);
            postgres.stop();
            await().atMost(Duration.ofSeconds(60)).until(() -> flow.of(503) >= 3 && admin.of(503) >= 3);
            postgres.startAgain();
            restarted.set(true);
            await().atMost(Duration.ofSeconds(60)).until(() -> flow.lastOkAfterRestart().get() >= 10
                    && admin.lastOkAfterRestart().get() >= 10);
        } finally {
            running.set(false);
            load.shutdown();
            assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        System.out.printf("database outage: Flow endpoint %d requests %s; admin API %d requests %s%n",
                flow.total(), flow.statuses(), admin.total(), admin.statuses());

        assertThat(flow.of(500)).as("Flow endpoint 500s").isZero();
        assertThat(admin.of(500)).as("admin API 500s").isZero();
        assertThat(flow.statuses().keySet()).as("Flow endpoint answers").containsOnly(200, 503);
        assertThat(admin.statuses().keySet()).as("admin API answers").containsOnly(200, 503);
        assertThat(flow.without503RetryAfter().sum()).as("Flow endpoint 503s without Retry-After").isZero();
        assertThat(admin.without503RetryAfter().sum()).as("admin API 503s without Retry-After").isZero();
    }
}
