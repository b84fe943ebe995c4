package io.flowgate.ingest.webhook;

import io.flowgate.meta.MetaSignature;
import io.flowgate.ingest.system.IngestProperties;
import io.flowgate.ingest.webhook.WebhookReceiver.Answer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Meta's messaging webhook over HTTP: the GET handshake, and the POST whose raw body goes to
 * {@link WebhookReceiver}. This class owns what is about HTTP: the in-flight bound, reading the body
 * within its limit, and turning an {@link Outcome} into a status and a small JSON answer that never
 * echoes what was sent.
 */
@RestController
@RequestMapping("/webhook")
class WebhookController {

    private static final Logger log = LoggerFactory.getLogger(WebhookController.class);
    private static final String HANDSHAKE_REFUSED = "handshake_refused";

    private final VerificationHandshake handshake;
    private final WebhookReceiver receiver;
    private final InFlightLimit inFlight;
    private final WebhookMetrics metrics;
    private final int maxBodyBytes;
    private final RefusalLog refusals = new RefusalLog(log);

    WebhookController(IngestProperties properties, WebhookReceiver receiver, InFlightLimit inFlight, WebhookMetrics metrics) {
        this.handshake = new VerificationHandshake(properties.verifyToken());
        this.receiver = receiver;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.maxBodyBytes = Math.toIntExact(properties.maxBodySize().toBytes());
        if (!handshake.isConfigured()) {
            log.warn("FLOWGATE_VERIFY_TOKEN (flowgate.ingest.verify-token) is not set: every GET /webhook handshake will be refused");
        }
    }

    @GetMapping
    ResponseEntity<String> verify(@RequestParam(name = "hub.mode", required = false) String mode,
                                  @RequestParam(name = "hub.verify_token", required = false) String token,
                                  @RequestParam(name = "hub.challenge", required = false) String challenge) {
        if (!handshake.accepts(mode, token)) {
            // neither the token sent nor the expected one is logged
            refusals.info(HANDSHAKE_REFUSED, "GET /webhook handshake refused: {}", !handshake.isConfigured()
                    ? "FLOWGATE_VERIFY_TOKEN is not set" : token == null ? "no hub.verify_token" : "wrong hub.verify_token or hub.mode");
            return ResponseEntity.status(HttpStatus.FORBIDDEN).contentType(MediaType.TEXT_PLAIN).body("forbidden");
        }
        if (!VerificationHandshake.isEchoable(challenge)) {
            refusals.info(HANDSHAKE_REFUSED, "GET /webhook handshake refused: hub.challenge missing, longer than {} or not visible ASCII",
                    VerificationHandshake.MAX_CHALLENGE_LENGTH);
            return ResponseEntity.badRequest().contentType(MediaType.TEXT_PLAIN).body("bad hub.challenge");
        }
        log.info("GET /webhook handshake accepted");
        return ResponseEntity.ok()
                .contentType(MediaType.TEXT_PLAIN)
                .header("X-Content-Type-Options", "nosniff")
                .body(challenge);
    }

    /**
     * Writes its small answer itself instead of going through Spring's return-value handling: this is
     * the hot path, and the answer is a constant per outcome.
     */
    @PostMapping
    void receive(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Instant receivedAt = Instant.now();
        if (!inFlight.tryEnter()) {
            refusals.info(Outcome.OVERLOADED, "POST /webhook answered 503: {} webhooks already in flight", inFlight.inFlight());
            answer(response, Answer.of(Outcome.OVERLOADED));
            return;
        }
        try {
            byte[] body;
            try {
                body = RawBody.read(request.getInputStream(), request.getContentLengthLong(), maxBodyBytes);
            } catch (RawBody.TooLargeException e) {
                refusals.info(Outcome.TOO_LARGE, "POST /webhook answered 413: body over {} bytes (Content-Length {})",
                        maxBodyBytes, request.getContentLengthLong());
                answer(response, Answer.of(Outcome.TOO_LARGE));
                return;
            } catch (IOException e) {
                refusals.info(Outcome.UNREADABLE, "POST /webhook answered 400: body unreadable ({})", e.toString());
                answer(response, Answer.of(Outcome.UNREADABLE));
                return;
            }
            answer(response, receiver.receive(body, request.getHeader(MetaSignature.HEADER), receivedAt));
        } finally {
            inFlight.leave();
        }
    }

    private void answer(HttpServletResponse response, Answer answer) throws IOException {
        metrics.webhook(answer.outcome());
        Outcome outcome = answer.outcome();
        response.setStatus(outcome.status().value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        if (outcome.status() == HttpStatus.SERVICE_UNAVAILABLE) {
            response.setHeader(HttpHeaders.RETRY_AFTER, "1");
        }
        if (outcome == Outcome.TOO_LARGE) {
            // the rest of the body is not read: the connection cannot carry another request
            response.setHeader(HttpHeaders.CONNECTION, "close");
        }
        String body = outcome == Outcome.ACCEPTED
                ? "{\"outcome\":\"accepted\",\"updates\":" + answer.updates() + "}"
                : "{\"outcome\":\"" + outcome.code() + "\"}";
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
