package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.support.RoutingApiInstance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * With the default settings, requests beyond {@code FLOWGATE_ENDPOINT_MAX_IN_FLIGHT} are answered 503 with
 * {@code Retry-After} while the limit is taken, rather than waiting in Tomcat's queue; and a thread count
 * that leaves no room above the limit stops the start.
 */
class OverloadTest {

    private static final int BODY_BYTES = 1000;
    private static final Pattern IN_FLIGHT = Pattern.compile("(?m)^flowgate_endpoint_in_flight(?:\\{[^}]*})? ([0-9.]+)$");
    private static RoutingApiInstance app;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.shared();
    }

    @Test
    void requestsBeyondTheInFlightLimitAreAnswered503WithRetryAfterWhileItIsTaken() throws Exception {
        int limit = app.context().getBean(FlowEndpointProperties.class).maxInFlight();
        List<Socket> slow = new java.util.concurrent.CopyOnWriteArrayList<>();
        // a byte every second keeps each slow upload inside Tomcat's read timeout, however long the test takes
        var trickler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        trickler.scheduleWithFixedDelay(() -> slow.forEach(OverloadTest::trickle), 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        try {
            // uploads that send their headers and then trickle: each holds an in-flight place and a thread
            for (int i = 0; i < limit; i++) {
                Socket s = new Socket("localhost", app.port());
                s.setSoTimeout(30_000);
                s.getOutputStream().write(("POST /flows/endpoint HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + BODY_BYTES + "\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> inFlight() == limit);

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            int extra = 24;
            for (int i = 0; i < extra; i++) {
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(app.uri("/flows/endpoint"))
                        .timeout(Duration.ofSeconds(8))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"encrypted_flow_data\":\"x\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as("request %d beyond the limit", i).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).as("request %d", i).isPresent();
            }
            assertThat(inFlight()).as("the slow uploads still hold every place").isEqualTo(limit);

            trickler.shutdown();
            assertThat(trickler.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // finishing the uploads frees the places; each is then answered (unsigned: 432), none with a 5xx
            for (Socket s : slow) {
                OutputStream out = s.getOutputStream();
                out.write(" ".repeat(BODY_BYTES - 1 - sent(s)).getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            for (Socket s : slow) {
                assertThat(statusLine(s.getInputStream())).startsWith("HTTP/1.1 4");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> inFlight() == 0);
        } finally {
            trickler.shutdownNow();
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void tooFewHttpThreadsForTheInFlightLimitStopTheStart() {
        assertThatThrownBy(() -> RoutingApiInstance.builder()
                .property("server.tomcat.threads.max", 40)
                .property("flowgate.endpoint.max-in-flight", 32)
                .start())
                .hasStackTraceContaining("FLOWGATE_HTTP_THREADS (server.tomcat.threads.max) is 40 but must be at least "
                        + "FLOWGATE_ENDPOINT_MAX_IN_FLIGHT (32) + 16");
    }

    private static final java.util.Map<Socket, Integer> SENT = new java.util.concurrent.ConcurrentHashMap<>();

    private static void trickle(Socket s) {
        try {
            s.getOutputStream().write(' ');
            s.getOutputStream().flush();
            SENT.merge(s, 1, Integer::sum);
        } catch (IOException e) {
            // a closed socket fails the test elsewhere
        }
    }

    private static int sent(Socket s) {
        return SENT.getOrDefault(s, 0);
    }

    private static int inFlight() throws IOException, InterruptedException {
        String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(app.uri("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = IN_FLIGHT.matcher(scrape);
        return m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().trim();
    }
}
