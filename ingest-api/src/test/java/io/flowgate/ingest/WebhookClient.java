package io.flowgate.ingest;

import io.flowgate.testkit.HubSignature;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Plays Meta over real HTTP: signed POSTs and handshakes against a running {@link IngestApp}. */
final class WebhookClient {

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final IngestApp app;

    WebhookClient(IngestApp app) {
        this.app = app;
    }

    /** Signed with the app secret, as Meta would. */
    HttpResponse<String> post(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return post(body, HubSignature.of(body, IngestApp.APP_SECRET));
    }

    /** @param signature the {@code X-Hub-Signature-256} value, or null to send none */
    HttpResponse<String> post(byte[] body, String signature) {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.uri("/webhook"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null) {
            request.header("X-Hub-Signature-256", signature);
        }
        return send(request.build());
    }

    HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(app.uri(pathAndQuery)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
