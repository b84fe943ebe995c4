package io.flowgate.routing.meta;

import io.flowgate.routing.support.RoutingApiInstance.AdminAnswer;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import io.flowgate.testkit.GraphApiStandIn;
import io.flowgate.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The business-key rotation over real HTTP to {@code /flows/endpoint}, two instances sharing the key directory
 * and the database: requests encrypted to the old key keep working (also while the keys are swapped under
 * load) until Meta confirms the new key, then both keys work on both instances, then only the new one once
 * the previous key is removed; the files left behind start a new instance with the new key.
 */
class KeyRotationTest {

    private static GraphApiStandIn graph;
    private static RoutingApiInstance a;
    private static RoutingApiInstance b;
    private static Path keyFile;
    private static KeyPair oldPair;

    @BeforeAll
    static void start() throws Exception {
        graph = GraphApiStandIn.start();
        oldPair = TestKeys.generate();
        keyFile = TestKeys.writePkcs8(oldPair, Files.createTempDirectory("flowgate-rotation-"), "private.pem");
        a = instance(null);
        b = instance(a.dbUrl());
    }

    private static RoutingApiInstance instance(String dbUrl) {
        RoutingApiInstance.Builder builder = RoutingApiInstance.builder().keys(oldPair)
                .property("flowgate.endpoint.private-key", keyFile.toString())
                .property("flowgate.meta.metrics-interval", "0s");
        if (dbUrl != null) {
            builder.database(dbUrl);
        }
        graph.senderProperties().forEach(builder::property);
        return builder.start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{b, a, graph}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing the others matters more
            }
        }
    }

    @Test
    void theOldKeyWorksUntilMetaConfirmsTheNewOneThenBothThenOnlyTheNew() throws Exception {
        WhatsAppFlowClient oldOnA = a.client();
        WhatsAppFlowClient oldOnB = b.client();

        AdminAnswer uploaded = a.admin("POST", "/api/meta/key/upload", null);
        assertThat(uploaded.status()).as(uploaded.raw()).isEqualTo(200);
        assertThat(uploaded.json().at("/meta/matches").asText()).isEqualTo("current");
        assertThat(uploaded.json().at("/meta/signature_status").asText()).isEqualTo("VALID");
        assertThat(graph.meta().publicKey()).contains("BEGIN PUBLIC KEY");

        // requests encrypted to the old key go on the whole time the keys change, on both instances
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        List<Integer> failures = new CopyOnWriteArrayList<>();
        Thread load = new Thread(() -> {
            while (running.get()) {
                for (WhatsAppFlowClient client : List.of(oldOnA, oldOnB)) {
                    int status = client.send(payload("ping", null, null)).status();
                    sent.incrementAndGet();
                    if (status != 200) {
                        failures.add(status);
                    }
                }
            }
        }, "old-key-load");
        load.start();

        AdminAnswer generated = a.admin("POST", "/api/meta/key/rotation", null);
        assertThat(generated.status()).as(generated.raw()).isEqualTo(200);
        PublicKey newKey = publicKey(generated.json().path("pending_public_key").asText());
        WhatsAppFlowClient newOnA = new WhatsAppFlowClient(a.uri("/flows/endpoint"), newKey, RoutingApiInstance.APP_SECRET);
        WhatsAppFlowClient newOnB = new WhatsAppFlowClient(b.uri("/flows/endpoint"), newKey, RoutingApiInstance.APP_SECRET);
        assertThat(newOnA.send(payload("ping", null, null)).status()).isEqualTo(421);

        // Meta does not have it yet: nothing changes
        AdminAnswer early = a.admin("POST", "/api/meta/key/rotation/confirm", null);
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.json().path("error").asText()).isEqualTo("not_confirmed");

        AdminAnswer pendingUploaded = a.admin("POST", "/api/meta/key/rotation/upload", null);
        assertThat(pendingUploaded.status()).as(pendingUploaded.raw()).isEqualTo(200);
        assertThat(pendingUploaded.json().at("/meta/matches").asText()).isEqualTo("pending");
        // uploaded but not yet confirmed: still only the old key
        assertThat(newOnA.send(payload("ping", null, null)).status()).isEqualTo(421);

        graph.meta().signatureMismatch();
        assertThat(a.admin("POST", "/api/meta/key/rotation/confirm", null).status()).isEqualTo(409);
        assertThat(newOnB.send(payload("ping", null, null)).status()).isEqualTo(421);
        assertThat(a.admin("POST", "/api/meta/key/rotation/upload", null).json().at("/meta/signature_status").asText()).isEqualTo("VALID");

        AdminAnswer confirmed = a.admin("POST", "/api/meta/key/rotation/confirm", null);
        assertThat(confirmed.status()).as(confirmed.raw()).isEqualTo(200);
        assertThat(confirmed.json().at("/meta/matches").asText()).isEqualTo("current");
        assertThat(confirmed.json().path("previous").asText()).startsWith("SHA256:");
        assertThat(newOnA.send(payload("ping", null, null)).status()).isEqualTo(200);
        // the other instance follows through the database's change notification
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(newOnB.send(payload("ping", null, null)).status()).isEqualTo(200));
        assertThat(a.admin("POST", "/api/meta/key/rotation", null).status()).isEqualTo(409);

        int before = sent.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() > before + 4);
        running.set(false);
        load.join();
        assertThat(failures).as("old-key requests refused during the rotation, of " + sent.get()).isEmpty();
        assertThat(oldOnA.send(payload("ping", null, null)).status()).isEqualTo(200);
        assertThat(oldOnB.send(payload("ping", null, null)).status()).isEqualTo(200);
        // what tells the operator the previous key is still in use
        AdminAnswer inUse = a.admin("GET", "/api/meta/key", null);
        assertThat(inUse.json().path("previous_key_requests_here").asLong()).isPositive();
        assertThat(inUse.json().path("previous_key_last_used_here").asText()).isNotEmpty();

        AdminAnswer removed = a.admin("DELETE", "/api/meta/key/previous", null);
        assertThat(removed.status()).as(removed.raw()).isEqualTo(200);
        assertThat(removed.json().path("previous").isNull()).isTrue();
        assertThat(oldOnA.send(payload("ping", null, null)).status()).isEqualTo(421);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(oldOnB.send(payload("ping", null, null)).status()).isEqualTo(421));
        assertThat(newOnA.send(payload("ping", null, null)).status()).isEqualTo(200);
        assertThat(newOnB.send(payload("ping", null, null)).status()).isEqualTo(200);
        assertThat(a.admin("DELETE", "/api/meta/key/previous", null).status()).isEqualTo(404);

        // the key file is the new key now: a restart keeps it
        try (RoutingApiInstance restarted = instance(a.dbUrl())) {
            WhatsAppFlowClient newOnC = new WhatsAppFlowClient(restarted.uri("/flows/endpoint"), newKey, RoutingApiInstance.APP_SECRET);
            assertThat(newOnC.send(payload("ping", null, null)).status()).isEqualTo(200);
            assertThat(restarted.client().send(payload("ping", null, null)).status()).isEqualTo(421);
        }
    }

    private static PublicKey publicKey(String pem) throws Exception {
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
                Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""))));
    }
}
