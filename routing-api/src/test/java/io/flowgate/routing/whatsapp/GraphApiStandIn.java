package io.flowgate.routing.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A real HTTP server (WireMock) standing in for the Graph API's messages endpoint: answers the way Meta
 * does, per recipient, and records every request with the time it arrived.
 */
public final class GraphApiStandIn implements AutoCloseable {

    public static final String ACCESS_TOKEN = "test-access-token";
    public static final String PHONE_NUMBER_ID = "106540352242922";
    static final String MESSAGES_PATH = "/v23.0/" + PHONE_NUMBER_ID + "/messages";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWERED = "answered";

    /** One recorded call. */
    record Request(JsonNode body, String authorization, Instant at) {
        String text() {
            return body.path("text").path("body").asText();
        }
    }

    private final WireMockServer server;
    private final FlowsAtMeta flowsAtMeta;

    private GraphApiStandIn(WireMockServer server, FlowsAtMeta flowsAtMeta) {
        this.server = server;
        this.flowsAtMeta = flowsAtMeta;
    }

    public static GraphApiStandIn start() {
        FlowsAtMeta flowsAtMeta = new FlowsAtMeta(ACCESS_TOKEN, PHONE_NUMBER_ID);
        WireMockServer server = new WireMockServer(options().dynamicPort().containerThreads(20).extensions(flowsAtMeta));
        server.start();
        // the Flows API, the business key and the metrics API, answered with state by FlowsAtMeta
        server.stubFor(any(urlPathMatching("/v23\\.0/(9[0-9]{14}(/.*)?|" + PHONE_NUMBER_ID + "/whatsapp_business_encryption|"
                + FlowsAtMeta.WABA_ID + "/flows)")).willReturn(aResponse().withTransformers(FlowsAtMeta.NAME)));
        return new GraphApiStandIn(server, flowsAtMeta);
    }

    /** Meta's Flows, business key and metrics as this stand-in holds them. */
    public FlowsAtMeta meta() {
        return flowsAtMeta;
    }

    public String url() {
        return server.baseUrl();
    }

    /** The properties that point a routing-api at this server, with credentials. */
    public Map<String, Object> senderProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("flowgate.whatsapp.graph-api-url", url());
        p.put("flowgate.whatsapp.access-token", ACCESS_TOKEN);
        p.put("flowgate.whatsapp.phone-number-id", PHONE_NUMBER_ID);
        return p;
    }

    /** Accepts every message to {@code waId} with a fresh wamid, after {@code delayMillis}. */
    void accept(String waId, int delayMillis) {
        server.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).withRequestBody(matchingJsonPath("$.to", equalTo(waId)))
                .willReturn(accepted("wamid.{{randomValue type='UUID'}}").withFixedDelay(delayMillis)));
    }

    /** Accepts every message to {@code waId} with this wamid. */
    void accept(String waId, String wamid) {
        server.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).withRequestBody(matchingJsonPath("$.to", equalTo(waId)))
                .willReturn(accepted(wamid)));
    }

    /** Answers every message to {@code waId} with this status and body. */
    void answer(String waId, int status, String body) {
        server.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).withRequestBody(matchingJsonPath("$.to", equalTo(waId)))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
    }

    /** Answers the first message to {@code waId} with this status and body, and accepts the ones after it. */
    void answerOnceThenAccept(String waId, int status, String body) {
        String scenario = "first-answer-" + waId;
        server.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).withRequestBody(matchingJsonPath("$.to", equalTo(waId)))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body))
                .willSetStateTo(ANSWERED));
        server.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).withRequestBody(matchingJsonPath("$.to", equalTo(waId)))
                .inScenario(scenario).whenScenarioStateIs(ANSWERED)
                .willReturn(accepted("wamid.{{randomValue type='UUID'}}")));
    }

    /** A Graph API error body as Meta sends it. */
    static String graphError(int code, String message) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"OAuthException\",\"code\":" + code
                + ",\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":\"" + message + "\"},"
                + "\"fbtrace_id\":\"AazSNxV5ZbGe4wQ3Tj6b8kM\"}}";
    }

    /** The calls for {@code waId}, in the order they arrived. */
    List<Request> requestsTo(String waId) {
        return server.findAll(postRequestedFor(urlPathEqualTo(MESSAGES_PATH)).withRequestBody(matchingJsonPath("$.to", equalTo(waId))))
                .stream().map(GraphApiStandIn::request).toList();
    }

    /** Every call to the messages endpoint, in the order they arrived. */
    List<Request> requests() {
        return server.findAll(postRequestedFor(urlPathEqualTo(MESSAGES_PATH))).stream().map(GraphApiStandIn::request).toList();
    }

    private static Request request(LoggedRequest logged) {
        try {
            return new Request(JSON.readTree(logged.getBodyAsString()), logged.getHeader("Authorization"),
                    logged.getLoggedDate().toInstant());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ResponseDefinitionBuilder accepted(String wamid) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"{{jsonPath request.body '$.to'}}\","
                        + "\"wa_id\":\"{{jsonPath request.body '$.to'}}\"}],\"messages\":[{\"id\":\"" + wamid + "\"}]}")
                .withTransformers("response-template");
    }

    @Override
    public void close() {
        server.stop();
    }
}
