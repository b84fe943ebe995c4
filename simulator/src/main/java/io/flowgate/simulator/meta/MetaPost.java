package io.flowgate.simulator.meta;

import io.flowgate.meta.MetaSignature;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * A POST as Meta's servers make it to a business, on the Flow data endpoint and on the messaging
 * webhook alike: a JSON body and {@code X-Hub-Signature-256}, the HMAC-SHA256 of the exact body bytes
 * under the app secret (reference §1.7, §2.2).
 */
public final class MetaPost {

    private MetaPost() {
    }

    public static HttpRequest signed(URI uri, byte[] body, String appSecret, Duration timeout) {
        return HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(MetaSignature.HEADER, MetaSignature.sign(body, appSecret))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }
}
