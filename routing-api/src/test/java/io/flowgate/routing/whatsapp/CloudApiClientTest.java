package io.flowgate.routing.whatsapp;

import io.flowgate.routing.whatsapp.CloudApiClient.Accepted;
import io.flowgate.routing.whatsapp.CloudApiClient.Answer;
import io.flowgate.routing.whatsapp.CloudApiClient.GraphError;
import io.flowgate.routing.whatsapp.CloudApiClient.Refused;
import io.flowgate.routing.whatsapp.CloudApiClient.Unreachable;
import io.flowgate.testkit.GraphApiStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import io.flowgate.routing.support.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Cloud API client against a real HTTP server: how each kind of answer, or its absence, is read. */
class CloudApiClientTest {

    private static GraphApiStandIn server;

    @BeforeAll
    static void start() {
        server = GraphApiStandIn.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void graphErrorObjectIsReadWithCodeDetailsAndTrace() throws Exception {
        stub("15550200001", 400, """
                {"error":{"message":"(#131026) Message Undeliverable","type":"OAuthException","code":131026,
                 "error_data":{"messaging_product":"whatsapp","details":"Message Undeliverable to 15550200001."},
                 "fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}""", 0);

        Answer answer = send(properties(server.uri().toString(), Duration.ofSeconds(5)), "15550200001", "{\"type\":\"text\",\"text\":{\"body\":\"x\"}}");

        assertThat(answer).isInstanceOf(Refused.class);
        Refused refused = (Refused) answer;
        assertThat(refused.httpStatus()).isEqualTo(400);
        GraphError error = refused.error();
        assertThat(error.code()).isEqualTo(131026);
        assertThat(error.fbtraceId()).isEqualTo("Az8or2yhqkZfEZ-_4Qn_Bam");
        // the number Meta quoted back is masked before it reaches a log or the table
        assertThat(error.describe()).isEqualTo("131026 (#131026) Message Undeliverable: Message Undeliverable to ***0001. "
                + "(fbtrace_id Az8or2yhqkZfEZ-_4Qn_Bam)");
    }

    @Test
    void answerWithoutErrorObjectIsRefusedWithoutCode() throws Exception {
        stub("15550200002", 502, "<html><body>Bad Gateway</body></html>", 0);

        Answer answer = send(properties(server.uri().toString(), Duration.ofSeconds(5)), "15550200002", "{\"type\":\"text\"}");

        assertThat(answer).isEqualTo(new Refused(502, new GraphError(null, null, null, null)));
        assertThat(CloudApiClient.summary(answer)).isEqualTo("HTTP 502");
    }

    @Test
    void acceptedAnswerGivesTheWamid() throws Exception {
        stub("15550200003", 200, "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"15550200003\",\"wa_id\":\"15550200003\"}],"
                + "\"messages\":[{\"id\":\"wamid.HBgLMTU1NTAyMDAwMDMVAgARGBI\"}]}", 0);

        Answer answer = send(properties(server.uri().toString(), Duration.ofSeconds(5)), "15550200003", "{\"type\":\"text\"}");

        assertThat(answer).isEqualTo(new Accepted("wamid.HBgLMTU1NTAyMDAwMDMVAgARGBI"));
    }

    @Test
    void noAnswerWithinTheTimeoutIsUnreachable() throws Exception {
        stub("15550200004", 200, "{\"messages\":[{\"id\":\"wamid.late\"}]}", 3_000);

        long started = System.nanoTime();
        Answer answer = send(properties(server.uri().toString(), Duration.ofMillis(300)), "15550200004", "{\"type\":\"text\"}");

        assertThat(answer).isEqualTo(new Unreachable("no answer within 300 ms"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_500));
    }

    @Test
    void refusedConnectionIsUnreachable() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Answer answer = send(properties("http://localhost:" + closed, Duration.ofSeconds(2)), "15550200005", "{\"type\":\"text\"}");

        assertThat(answer).isEqualTo(new Unreachable("cannot connect to localhost"));
    }

    @Test
    void bodyPutsProductAndRecipientBeforeTheQueuedMessage() {
        assertThat(CloudApiClient.body("15550200006", "{\"type\":\"text\",\"text\":{\"body\":\"hi\"},\"to\":\"someone else\"}"))
                .isEqualTo("{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"15550200006\","
                        + "\"type\":\"text\",\"text\":{\"body\":\"hi\"}}");
        assertThatThrownBy(() -> CloudApiClient.body("15550200006", "[1,2]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokenThatCannotBeAHeaderIsRefusedWithoutQuotingIt() {
        WhatsAppProperties broken = Settings.bind(WhatsAppProperties.class, "flowgate.whatsapp", Map.of(
                "flowgate.whatsapp.graph-api-url", server.uri().toString(), "flowgate.whatsapp.access-token", "secret\u0000token",
                "flowgate.whatsapp.phone-number-id", "106540352242922"));

        assertThatThrownBy(() -> new CloudApiClient(broken)).isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("secret").hasNoCause();
    }

    private static void stub(String to, int status, String body, int delayMillis) {
        server.answer(to, status, body, delayMillis);
    }

    /** One call with a fresh client, closed afterwards. */
    private static Answer send(WhatsAppProperties properties, String to, String payload) throws Exception {
        CloudApiClient client = new CloudApiClient(properties);
        try {
            return client.send(to, payload).get(10, TimeUnit.SECONDS);
        } finally {
            client.destroy();
        }
    }

    private static WhatsAppProperties properties(String url, Duration timeout) {
        Map<String, Object> values = new HashMap<>(Map.of("flowgate.whatsapp.graph-api-url", url,
                "flowgate.whatsapp.access-token", GraphApiStandIn.ACCESS_TOKEN, "flowgate.whatsapp.phone-number-id", GraphApiStandIn.PHONE_NUMBER_ID));
        if (timeout != null) {
            values.put("flowgate.whatsapp.request-timeout", timeout);
        }
        return Settings.bind(WhatsAppProperties.class, "flowgate.whatsapp", values);
    }
}
