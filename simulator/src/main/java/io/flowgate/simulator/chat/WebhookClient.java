package io.flowgate.simulator.chat;

import io.flowgate.simulator.meta.MetaPost;
import io.flowgate.simulator.report.Measurements;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Delivers webhooks to ingest-api's {@code POST /webhook} as Meta does: JSON, signed over the exact
 * body bytes with the app secret ({@code X-Hub-Signature-256}). Resending the same bytes is how Meta
 * retries, so a duplicate is the same call made again.
 */
final class WebhookClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final URI webhook;
    private final String appSecret;
    private final Measurements requests;

    WebhookClient(HttpClient http, URI ingestApi, String appSecret, Measurements requests) {
        this.http = http;
        this.webhook = ingestApi.resolve("/webhook");
        this.appSecret = appSecret;
        this.requests = requests;
    }

    /** What became of one delivery. */
    enum Delivery { ACKNOWLEDGED, REFUSED, UNREACHABLE }

    URI webhook() {
        return webhook;
    }

    /** Posts {@code body} and records it under {@code kind}. */
    Delivery post(String kind, byte[] body) throws InterruptedException {
        HttpRequest request = MetaPost.signed(webhook, body, appSecret, TIMEOUT);
        long sent = System.nanoTime();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            long nanos = System.nanoTime() - sent;
            if (response.statusCode() == 200) {
                requests.ok(kind, nanos);
                return Delivery.ACKNOWLEDGED;
            }
            requests.error(kind, nanos, "HTTP " + response.statusCode());
            return Delivery.REFUSED;
        } catch (ConnectException e) {
            requests.error(kind, -1, Measurements.errorName(e));
            return Delivery.UNREACHABLE;
        } catch (IOException e) {
            requests.error(kind, -1, Measurements.errorName(e));
            return Delivery.REFUSED;
        }
    }
}
