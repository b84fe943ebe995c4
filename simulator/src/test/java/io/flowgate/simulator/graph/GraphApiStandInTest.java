package io.flowgate.simulator.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

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
}
