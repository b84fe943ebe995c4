package io.flowgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Graph API stand-in over real HTTP: messages answered and recorded, answers a test asks for, Meta's Flows API. */
class GraphApiStandInTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final GraphApiStandIn standIn = GraphApiStandIn.start(0);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        standIn.close();
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(standIn.uri().resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(URI base, String method, String path, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + GraphApiStandIn.ACCESS_TOKEN)
                .header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String text(String to, String body) {
        return "{\"messaging_product\":\"whatsapp\",\"to\":\"" + to + "\",\"type\":\"text\",\"text\":{\"body\":\"" + body + "\"}}";
    }

    @Test
    void postedMessageIsAnsweredAsMetaDoesAndRecorded() throws Exception {
        HttpResponse<String> response = post("/v23.0/106540352242922/messages", "access-token", """
                {"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"text",
                 "text":{"preview_url":false,"body":"Thanks, Ana! What is your budget?"}}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("messaging_product").asText()).isEqualTo("whatsapp");
        assertThat(answer.at("/contacts/0/input").asText()).isEqualTo("+16505551234");
        assertThat(answer.at("/contacts/0/wa_id").asText()).isEqualTo("16505551234");
        String wamid = answer.at("/messages/0/id").asText();
        assertThat(wamid).startsWith("wamid.");

        assertThat(standIn.count()).isEqualTo(1);
        RecordedMessage recorded = standIn.recorded().get(0);
        assertThat(recorded.wamid()).isEqualTo(wamid);
        assertThat(recorded.apiVersion()).isEqualTo("v23.0");
        assertThat(recorded.phoneNumberId()).isEqualTo("106540352242922");
        assertThat(recorded.type()).isEqualTo("text");
        assertThat(recorded.body().at("/text/body").asText()).isEqualTo("Thanks, Ana! What is your budget?");
        assertThat(standIn.recordedTo("16505551234")).containsExactly(recorded);
    }

    @Test
    void recordedMessagesAreListedOverHttpByRecipient() throws Exception {
        post("/v23.0/1/messages", "t", "{\"messaging_product\":\"whatsapp\",\"to\":\"111\",\"type\":\"text\",\"text\":{\"body\":\"a\"}}");
        post("/v23.0/1/messages", "t", "{\"messaging_product\":\"whatsapp\",\"to\":\"222\",\"type\":\"text\",\"text\":{\"body\":\"b\"}}");

        HttpResponse<String> all = http.send(HttpRequest.newBuilder(standIn.uri().resolve("/recorded")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> one = http.send(HttpRequest.newBuilder(standIn.uri().resolve("/recorded?to=222")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(JSON.readTree(all.body()).path("count").asLong()).isEqualTo(2);
        assertThat(JSON.readTree(all.body()).path("messages")).hasSize(2);
        JsonNode only = JSON.readTree(one.body()).path("messages");
        assertThat(only).hasSize(1);
        assertThat(only.get(0).at("/body/text/body").asText()).isEqualTo("b");
    }

    @Test
    void readReceiptIsAcknowledgedWithSuccess() throws Exception {
        HttpResponse<String> response = post("/v23.0/1/messages", "t",
                "{\"messaging_product\":\"whatsapp\",\"status\":\"read\",\"message_id\":\"wamid.X\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("success").asBoolean()).isTrue();
        assertThat(standIn.recorded().get(0).type()).isEqualTo("read");
    }

    @Test
    void callsMetaWouldRefuseAreRefusedAndNotRecorded() throws Exception {
        HttpResponse<String> noToken = post("/v23.0/1/messages", null, "{\"messaging_product\":\"whatsapp\",\"to\":\"1\"}");
        HttpResponse<String> noRecipient = post("/v23.0/1/messages", "t", "{\"messaging_product\":\"whatsapp\",\"type\":\"text\"}");
        HttpResponse<String> notJson = post("/v23.0/1/messages", "t", "hello");
        HttpResponse<String> otherPath = post("/v23.0/1/media", "t", "{}");

        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(noRecipient.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noRecipient.body()).at("/error/code").asInt()).isEqualTo(100);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(otherPath.statusCode()).isEqualTo(404);
        assertThat(standIn.count()).isZero();
    }

    @Test
    void answersAskedForPerRecipientAreGivenAndRecordedWithTheToken() throws Exception {
        standIn.answerOnceThenAccept("15550000001", 400, GraphApiStandIn.graphError(131056, "pair rate limit hit"));
        standIn.answer("15550000002", 503, "<html>Service Unavailable</html>");
        standIn.accept("15550000003", "wamid.GIVEN");

        HttpResponse<String> refused = post("/v23.0/1/messages", "tok", text("15550000001", "one"));
        HttpResponse<String> then = post("/v23.0/1/messages", "tok", text("15550000001", "two"));
        HttpResponse<String> unavailable = post("/v23.0/1/messages", "tok", text("15550000002", "three"));
        HttpResponse<String> given = post("/v23.0/1/messages", "tok", text("15550000003", "four"));

        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(refused.body()).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(131056);
        assertThat(error.at("/error_data/details").asText()).isEqualTo("pair rate limit hit");
        assertThat(error.path("fbtrace_id").asText()).isNotEmpty();
        assertThat(then.statusCode()).isEqualTo(200);
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.body()).isEqualTo("<html>Service Unavailable</html>");
        assertThat(JSON.readTree(given.body()).at("/messages/0/id").asText()).isEqualTo("wamid.GIVEN");

        List<RecordedMessage> first = standIn.recordedTo("15550000001");
        assertThat(first).extracting(RecordedMessage::text).containsExactly("one", "two");
        assertThat(first).extracting(RecordedMessage::status).containsExactly(400, 200);
        assertThat(first.get(0).wamid()).isNull();
        assertThat(first.get(1).authorization()).isEqualTo("Bearer tok");
        assertThat(first.get(1).toString()).doesNotContain("tok\"").doesNotContain("Bearer");
        assertThat(standIn.count()).isEqualTo(4);
    }

    @Test
    void aDelayedAnswerHoldsOnlyItsOwnRecipient() throws Exception {
        // long enough for any machine: the stand-in is closed after the test, which ends the wait
        standIn.accept("15550000004", 60_000);
        var slow = http.sendAsync(HttpRequest.newBuilder(standIn.uri().resolve("/v23.0/1/messages")).header("Authorization", "Bearer t")
                .POST(HttpRequest.BodyPublishers.ofString(text("15550000004", "slow"))).build(), HttpResponse.BodyHandlers.ofString());

        HttpResponse<String> other = post("/v23.0/1/messages", "t", text("15550000005", "fast"));

        assertThat(other.statusCode()).isEqualTo(200);
        // still unanswered a second later (without the delay it would be answered at once)
        assertThatThrownBy(() -> slow.get(1, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(standIn.recordedTo("15550000004")).as("recorded when it arrived").hasSize(1);
    }

    @Test
    void startedForTestsItTakesOnlyItsOwnToken() throws Exception {
        try (GraphApiStandIn strict = GraphApiStandIn.start()) {
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(strict.uri().resolve("/v23.0/1/messages"))
                    .header("Authorization", "Bearer other").POST(HttpRequest.BodyPublishers.ofString(text("1", "x"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> right = call(strict.uri(), "POST", "/v23.0/1/messages", "application/json", text("1", "x"));

            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(wrong.body()).at("/error/code").asInt()).isEqualTo(190);
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(strict.senderProperties()).containsEntry("flowgate.whatsapp.access-token", GraphApiStandIn.ACCESS_TOKEN)
                    .containsEntry("flowgate.whatsapp.graph-api-url", strict.uri().toString());
        }
    }

    @Test
    void aFlowIsCreatedAndUploadedAsMultipartAndItsVersionCheckedAsMetaDoes() throws Exception {
        URI base = standIn.uri();
        String boundary = "b0undary";
        HttpResponse<String> created = call(base, "POST", "/v23.0/" + FlowsAtMeta.WABA_ID + "/flows", "multipart/form-data; boundary=" + boundary,
                "--b0undary\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nRéparation\r\n"
                        + "--b0undary\r\nContent-Disposition: form-data; name=\"categories\"\r\n\r\n[\"OTHER\"]\r\n--b0undary--\r\n");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String id = JSON.readTree(created.body()).path("id").asText();
        assertThat(standIn.meta().flow(id).name).isEqualTo("Réparation");

        HttpResponse<String> uploaded = call(base, "POST", "/v23.0/" + id + "/assets", "multipart/form-data; boundary=" + boundary,
                "--b0undary\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nflow.json\r\n"
                        + "--b0undary\r\nContent-Disposition: form-data; name=\"asset_type\"\r\n\r\nFLOW_JSON\r\n"
                        + "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"flow.json\"\r\n"
                        + "Content-Type: application/json\r\n\r\n{\"version\":\"2.1\",\"screens\":[]}\r\n--b0undary--\r\n");
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
        assertThat(JSON.readTree(uploaded.body()).at("/validation_errors/0/error").asText()).isEqualTo("INVALID_PROPERTY_VALUE");
        assertThat(standIn.meta().flow(id).flowJson.path("version").asText()).isEqualTo("2.1");

        HttpResponse<String> refused = call(base, "POST", "/v23.0/" + id + "/publish", "application/x-www-form-urlencoded", "");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).at("/error/code").asInt()).isEqualTo(139001);
        HttpResponse<String> updated = call(base, "POST", "/v23.0/" + id, "application/x-www-form-urlencoded",
                "endpoint_uri=https%3A%2F%2Fflows.example.com%2Fendpoint");
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(standIn.meta().flow(id).endpointUri).isEqualTo("https://flows.example.com/endpoint");
        assertThat(JSON.readTree(call(base, "GET", "/v23.0/" + id, "application/json", "").body()).path("status").asText()).isEqualTo("DRAFT");
        assertThat(standIn.meta().calls()).contains("POST /v23.0/" + id + "/assets");
        assertThat(standIn.count()).as("Flows calls are not messages").isZero();
    }
}
