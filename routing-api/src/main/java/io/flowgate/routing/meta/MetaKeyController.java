package io.flowgate.routing.meta;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.flowendpoint.crypto.CryptoConfig;
import io.flowgate.routing.flowendpoint.crypto.EndpointKeys;
import io.flowgate.routing.flowendpoint.crypto.KeyLoadException;
import io.flowgate.routing.system.ApiException;
import io.flowgate.routing.whatsapp.GraphApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The business public key at Meta (reference §1.3) and its rotation, one admin call per step
 * (docs/meta-lifecycle.md):
 * <ol>
 *   <li>{@code POST /api/meta/key/rotation}: generate a new key pair (not accepted yet);</li>
 *   <li>{@code POST /api/meta/key/rotation/upload}: upload its public key to Meta;</li>
 *   <li>{@code POST /api/meta/key/rotation/confirm}: when Meta has it with signature status VALID, it becomes
 *       current and the old key previous, both accepted, on every instance;</li>
 *   <li>{@code DELETE /api/meta/key/previous}: stop accepting the old key.</li>
 * </ol>
 * {@code POST /api/meta/key/upload} uploads the current key (first set-up, or after re-registering the number)
 * and {@code GET /api/meta/key} compares what Meta has with the keys Flowgate holds.
 */
@RestController
class MetaKeyController {

    static final String VALID = "VALID";
    private static final Logger log = LoggerFactory.getLogger(MetaKeyController.class);

    private final GraphApi graph;
    private final EndpointKeys keys;
    private final JdbcClient jdbc;

    MetaKeyController(GraphApi graph, EndpointKeys keys, JdbcClient jdbc) {
        this.graph = graph;
        this.keys = keys;
        this.jdbc = jdbc;
    }

    /** The keys Flowgate holds and, when the Graph settings are there, what Meta has (its errors as in every call). */
    @GetMapping(path = "/api/meta/key", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> status() throws KeyLoadException {
        if (graph.phoneNumberId() == null || !graph.hasToken()) {
            Map<String, Object> out = new LinkedHashMap<>(keys.status().toMap());
            out.put("meta", null);
            out.put("meta_not_configured", "set FLOWGATE_ACCESS_TOKEN and FLOWGATE_PHONE_NUMBER_ID to compare with Meta's key");
            return out;
        }
        return view(readBack());
    }

    @PostMapping(path = "/api/meta/key/upload", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> uploadCurrent() throws KeyLoadException {
        upload(keys.currentPublicKey());
        return view(readBack());
    }

    @PostMapping(path = "/api/meta/key/rotation", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> generate() throws KeyLoadException {
        try {
            keys.checkRotatable();
        } catch (IllegalStateException e) {
            throw new ApiException(HttpStatus.CONFLICT, "rotation_refused", e.getMessage());
        }
        PublicKey generated = keys.generatePending();
        Map<String, Object> out = new LinkedHashMap<>(keys.status().toMap());
        out.put("pending_public_key", EndpointKeys.publicPem(generated));
        out.put("next_step", "POST /api/meta/key/rotation/upload");
        return out;
    }

    @PostMapping(path = "/api/meta/key/rotation/upload", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> uploadPending() throws KeyLoadException {
        upload(pending());
        Map<String, Object> out = view(readBack());
        out.put("next_step", "POST /api/meta/key/rotation/confirm");
        return out;
    }

    /** Promotes the pending key once Meta has it, signed VALID; 409 with what Meta has otherwise. */
    @PostMapping(path = "/api/meta/key/rotation/confirm", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> confirm() throws KeyLoadException {
        PublicKey pending = pending();
        MetaKey meta = readBack();
        String wanted = EndpointKeys.fingerprint(pending);
        if (!wanted.equals(meta.fingerprint()) || !VALID.equals(meta.signatureStatus())) {
            throw new ApiException(HttpStatus.CONFLICT, "not_confirmed", "Meta has " + (meta.fingerprint() == null ? "no key"
                    : "key " + meta.fingerprint()) + " with signature status " + meta.signatureStatus() + ", not the pending key "
                    + wanted + " with VALID: upload it (POST /api/meta/key/rotation/upload) and ask again");
        }
        try {
            keys.promotePending();
        } catch (IllegalStateException e) {
            throw new ApiException(HttpStatus.CONFLICT, "rotation_refused", e.getMessage());
        }
        announce();
        log.info("Flow endpoint key {} confirmed by Meta and made current; the previous key stays accepted until removed", wanted);
        Map<String, Object> out = view(meta);
        out.put("next_step", "DELETE /api/meta/key/previous, once no request uses the previous key any more");
        return out;
    }

    @DeleteMapping(path = "/api/meta/key/previous", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> removePrevious() throws KeyLoadException {
        if (!keys.hasPrevious()) {
            throw ApiException.notFound("no previous key is accepted");
        }
        try {
            keys.removePrevious();
        } catch (IllegalStateException e) {
            throw new ApiException(HttpStatus.CONFLICT, "rotation_refused", e.getMessage());
        }
        announce();
        log.info("the previous Flow endpoint key is no longer accepted");
        return keys.status().toMap();
    }

    /** A key file that cannot be read or written: the operator's to fix, named in the message (never a key). */
    @ExceptionHandler({KeyLoadException.class, UncheckedIOException.class})
    ResponseEntity<Map<String, Object>> keyFiles(Exception e) {
        log.warn("business key step failed: {}", e.getMessage());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "key_files");
        body.put("message", e.getMessage());
        body.put("details", List.of());
        return ResponseEntity.status(HttpStatus.CONFLICT).body(body);
    }

    /** What Meta has for the phone number. */
    record MetaKey(String fingerprint, String signatureStatus) {
    }

    private void upload(PublicKey key) {
        graph.postForm(phoneNumberId() + "/whatsapp_business_encryption", Map.of("business_public_key", EndpointKeys.publicPem(key)));
        log.info("business public key {} uploaded to Meta for phone number {}", EndpointKeys.fingerprint(key), phoneNumberId());
    }

    /** Reads Meta's key; the answer is a flat object in Meta's guide, {@code {"data": [...]}} in practice (reference §5). */
    private MetaKey readBack() {
        JsonNode answer = graph.get(phoneNumberId() + "/whatsapp_business_encryption");
        JsonNode key = answer.path("data").isArray() ? answer.path("data").path(0) : answer;
        String pem = key.path("business_public_key").asText(null);
        String fingerprint = null;
        if (pem != null && !pem.isBlank()) {
            try {
                fingerprint = EndpointKeys.fingerprint(java.security.KeyFactory.getInstance("RSA").generatePublic(
                        new java.security.spec.X509EncodedKeySpec(java.util.Base64.getMimeDecoder().decode(
                                pem.replaceAll("-----[A-Z ]+-----", "")))));
            } catch (java.security.GeneralSecurityException | IllegalArgumentException unreadable) {
                fingerprint = "unreadable";
            }
        }
        return new MetaKey(fingerprint, key.path("business_public_key_signature_status").asText(null));
    }

    private Map<String, Object> view(MetaKey meta) throws KeyLoadException {
        EndpointKeys.Status local = keys.status();
        Map<String, Object> out = new LinkedHashMap<>(local.toMap());
        Map<String, Object> atMeta = new LinkedHashMap<>();
        atMeta.put("phone_number_id", phoneNumberId());
        atMeta.put("fingerprint", meta.fingerprint());
        atMeta.put("signature_status", meta.signatureStatus());
        String which = meta.fingerprint() == null ? "none"
                : meta.fingerprint().equals(local.current()) ? "current"
                : meta.fingerprint().equals(local.pending()) ? "pending"
                : meta.fingerprint().equals(local.previous()) ? "previous" : "unknown";
        atMeta.put("matches", which);
        out.put("meta", atMeta);
        return out;
    }

    private PublicKey pending() throws KeyLoadException {
        PublicKey pending = keys.pendingPublicKey();
        if (pending == null) {
            throw new ApiException(HttpStatus.CONFLICT, "no_pending_key", "no rotation in progress: start one with POST /api/meta/key/rotation");
        }
        return pending;
    }

    private String phoneNumberId() {
        if (graph.phoneNumberId() == null) {
            throw new ApiException(HttpStatus.CONFLICT, "not_configured", "FLOWGATE_PHONE_NUMBER_ID is not set: the key belongs to a phone number");
        }
        return graph.phoneNumberId();
    }

    /** Tells every instance (this one included) to load the key files again. */
    private void announce() {
        jdbc.sql("SELECT pg_notify('flowgate_changes', :payload)").param("payload", CryptoConfig.KEYS_CHANGED + ":")
                .query().listOfRows();
    }
}
