package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.flowendpoint.crypto.DecryptedRequest;
import io.flowgate.routing.flowendpoint.crypto.EndpointKeys;
import io.flowgate.routing.flowendpoint.crypto.FlowCrypto;
import io.flowgate.routing.flowendpoint.crypto.UndecryptableRequestException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.events.EndpointRequest;
import io.flowgate.meta.MetaSignature;
import io.flowgate.routing.flows.FlowDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Flow data endpoint protocol, in Meta's order: signature (432), envelope (400), decryption (421),
 * {@code ping}, error notifications, flow token (427), then the session step; every answer encrypted
 * with the request's key and the flipped IV. Each refusal is decided here from what the caller sent,
 * so no input can reach a 500.
 */
@Component
class FlowEndpoint {

    private static final Logger log = LoggerFactory.getLogger(FlowEndpoint.class);
    static final int INVALID_TOKEN = 427;
    static final int UNDECRYPTABLE = 421;
    static final int BAD_SIGNATURE = 432;

    private final MetaSignature signature;
    private final EndpointKeys keys;
    private final FlowSteps steps;
    private final ObjectMapper mapper;
    private final FlowEndpointProperties properties;

    FlowEndpoint(MetaSignature endpointSignature, EndpointKeys keys, FlowSteps steps, ObjectMapper mapper,
                 FlowEndpointProperties properties) {
        this.signature = endpointSignature;
        this.keys = keys;
        this.steps = steps;
        this.mapper = mapper;
        this.properties = properties;
    }

    EndpointAnswer handle(byte[] body, String signatureHeader) {
        if (!signature.verify(body, signatureHeader)) {
            return EndpointAnswer.empty(BAD_SIGNATURE, EndpointRequest.OUTCOME_BAD_SIGNATURE);
        }
        JsonNode envelope;
        try {
            envelope = mapper.readTree(body);
        } catch (IOException e) {
            envelope = null;
        }
        String aesKey = field(envelope, "encrypted_aes_key");
        String flowData = field(envelope, "encrypted_flow_data");
        String iv = field(envelope, "initial_vector");
        if (aesKey == null || flowData == null || iv == null) {
            return EndpointAnswer.empty(400, EndpointRequest.OUTCOME_BAD_REQUEST);
        }
        // the keys of this moment, for the whole request, even if a rotation step swaps them meanwhile
        FlowCrypto crypto = keys.crypto();
        DecryptedRequest decrypted;
        try {
            decrypted = crypto.decrypt(aesKey, flowData, iv);
            keys.decryptedWith(decrypted);
        } catch (UndecryptableRequestException e) {
            log.debug("undecryptable request: {}", e.reason());
            return EndpointAnswer.empty(UNDECRYPTABLE, EndpointRequest.OUTCOME_UNDECRYPTABLE);
        }
        FlowRequest request;
        try {
            // parsed as text: Jackson's byte parser refuses an escaped lone surrogate in a field name outright,
            // where the text parser hands it to the data check, which answers within the protocol
            request = FlowRequest.from(mapper.readTree(new String(decrypted.plaintext(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            request = null;
        }
        if (request == null || request.action() == null) {
            return EndpointAnswer.empty(UNDECRYPTABLE, EndpointRequest.OUTCOME_UNDECRYPTABLE);
        }
        return answer(request, decrypted);
    }

    private EndpointAnswer answer(FlowRequest request, DecryptedRequest decrypted) {
        String screen = request.screen() == null ? "" : request.screen();
        if (FlowRequest.PING.equals(request.action())) {
            ObjectNode reply = JsonNodeFactory.instance.objectNode();
            reply.putObject("data").put("status", "active");
            return ok(reply, request, decrypted, EndpointRequest.OUTCOME_OK, null);
        }
        if (request.isErrorNotification()) {
            log.warn("WhatsApp client reported an error on screen {} ({}): {} {}", screen, request.action(),
                    clip(request.errorKey()), clip(request.data().path("error_message").asText("")));
            ObjectNode reply = JsonNodeFactory.instance.objectNode();
            reply.putObject("data").put("acknowledged", true);
            return ok(reply, request, decrypted, EndpointRequest.OUTCOME_ERROR_ACK, null);
        }
        StepOutcome step = steps.step(request);
        if (step.isRefused()) {
            log.info("flow token refused ({}) for session {} on screen {}", step.refusal(), step.sessionId(), screen);
            return invalidToken(request, decrypted, step);
        }
        ObjectNode reply = step.response();
        if (FlowDefinition.SUCCESS.equals(reply.path("screen").asText())) {
            // the token is never stored; it goes back to Meta only in the completion answer
            ((ObjectNode) reply.at("/data/extension_message_response/params")).put("flow_token", request.flowToken());
        }
        return ok(reply, request, decrypted, EndpointRequest.OUTCOME_OK, step);
    }

    private EndpointAnswer ok(ObjectNode reply, FlowRequest request, DecryptedRequest decrypted, String outcome, StepOutcome step) {
        if (request.version() != null && !reply.has("version")) {
            ObjectNode withVersion = JsonNodeFactory.instance.objectNode();
            withVersion.put("version", request.version());
            withVersion.setAll(reply);
            reply = withVersion;
        }
        return new EndpointAnswer(200, keys.crypto().encryptResponse(bytes(reply), decrypted), "text/plain", outcome,
                request.action(), request.screen() == null ? "" : request.screen(),
                step == null ? null : step.sessionId(), step == null ? null : step.flowId(), step);
    }

    private EndpointAnswer invalidToken(FlowRequest request, DecryptedRequest decrypted, StepOutcome step) {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("error_msg", properties.invalidTokenMessage());
        String body = properties.plaintextInvalidTokenBody() ? error.toString()
                : keys.crypto().encryptResponse(bytes(error), decrypted);
        return new EndpointAnswer(INVALID_TOKEN, body, properties.plaintextInvalidTokenBody() ? "application/json" : "text/plain",
                EndpointRequest.OUTCOME_INVALID_TOKEN, request.action(), request.screen() == null ? "" : request.screen(),
                step.sessionId(), step.flowId(), step);
    }

    private byte[] bytes(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String field(JsonNode envelope, String name) {
        JsonNode v = envelope == null ? null : envelope.get(name);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
