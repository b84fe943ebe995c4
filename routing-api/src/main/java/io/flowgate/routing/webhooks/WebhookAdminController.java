package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.routing.system.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Admin API of the outgoing webhooks (docs/webhooks.md): subscriptions ({@code /api/webhooks}), their
 * deliveries and dead letters, pausing, and the shipped mapping templates. A subscription's secret is
 * returned once, in the answer to its creation, and never again.
 */
@RestController
class WebhookAdminController {

    private static final Logger log = LoggerFactory.getLogger(WebhookAdminController.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Set<String> FIELDS = Set.of("name", "url", "secret", "event_types", "machine_id", "flow_id",
            "include_free_text", "mapping", "mapping_template", "enabled");
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final int MAX_LIMIT = 1000;

    private final WebhookRepository repository;
    private final SecretBox secrets;
    private final ObjectMapper json;

    WebhookAdminController(WebhookRepository repository, SecretBox secrets, ObjectMapper json) {
        this.repository = repository;
        this.secrets = secrets;
        this.json = json;
    }

    @GetMapping(path = "/api/webhooks", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> list() {
        return Map.of("subscriptions", repository.list(), "event_types", WebhookEvent.TYPES);
    }

    @PostMapping(path = "/api/webhooks", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> create(@RequestBody JsonNode body) {
        requireKey();
        Parsed p = parse(body, true);
        String secret = p.secret() != null ? p.secret() : WebhookSigner.newSecret();
        long id = repository.create(p.settings(secrets.encrypt(secret)));
        log.info("webhook subscription {} created for {} ({})", id, host(p.url()), p.eventTypes());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("subscription_id", id);
        // the only time the secret is shown: the receiver needs it to verify signatures
        answer.put("secret", secret);
        answer.put("subscription", repository.show(id).orElseThrow());
        return ResponseEntity.status(HttpStatus.CREATED).body(answer);
    }

    @GetMapping(path = "/api/webhooks/{subscriptionId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Object show(@PathVariable long subscriptionId) {
        return repository.show(subscriptionId).orElseThrow(() -> notFound(subscriptionId));
    }

    /** Replaces the settings; a {@code secret} given rotates it, none keeps the current one. */
    @PutMapping(path = "/api/webhooks/{subscriptionId}", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    Object update(@PathVariable long subscriptionId, @RequestBody JsonNode body) {
        requireKey();
        Parsed p = parse(body, false);
        if (!repository.update(subscriptionId, p.settings(p.secret() == null ? null : secrets.encrypt(p.secret())))) {
            throw notFound(subscriptionId);
        }
        log.info("webhook subscription {} updated{}", subscriptionId, p.secret() == null ? "" : " (secret rotated)");
        return repository.show(subscriptionId).orElseThrow();
    }

    @DeleteMapping(path = "/api/webhooks/{subscriptionId}")
    ResponseEntity<Void> delete(@PathVariable long subscriptionId) {
        if (!repository.delete(subscriptionId)) {
            throw notFound(subscriptionId);
        }
        log.info("webhook subscription {} deleted with its deliveries", subscriptionId);
        return ResponseEntity.noContent().build();
    }

    @PostMapping(path = "/api/webhooks/{subscriptionId}/resume", produces = MediaType.APPLICATION_JSON_VALUE)
    Object resume(@PathVariable long subscriptionId) {
        if (!repository.resume(subscriptionId)) {
            throw notFound(subscriptionId);
        }
        log.info("webhook subscription {} resumed by an admin", subscriptionId);
        return repository.show(subscriptionId).orElseThrow();
    }

    /** Deliveries, newest first; {@code status=dead} lists the dead letters. */
    @GetMapping(path = "/api/webhooks/{subscriptionId}/deliveries", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> deliveries(@PathVariable long subscriptionId, @RequestParam(required = false) String status,
                                   @RequestParam(defaultValue = "100") int limit) {
        if (status != null && !Set.of("pending", "delivered", "dead").contains(status)) {
            throw ApiException.badRequest("status: pending, delivered or dead");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit: 1 to " + MAX_LIMIT);
        }
        repository.show(subscriptionId).orElseThrow(() -> notFound(subscriptionId));
        return Map.of("deliveries", repository.deliveries(subscriptionId, status, limit));
    }

    @PostMapping(path = "/api/webhooks/{subscriptionId}/deliveries/{deliveryId}/redeliver", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> redeliver(@PathVariable long subscriptionId, @PathVariable long deliveryId) {
        if (!repository.redeliver(subscriptionId, deliveryId)) {
            throw ApiException.notFound("no dead letter " + deliveryId + " of webhook subscription " + subscriptionId);
        }
        log.info("webhook delivery {} of subscription {} redelivered by an admin", deliveryId, subscriptionId);
        return Map.of("redelivered", 1);
    }

    @PostMapping(path = "/api/webhooks/{subscriptionId}/dead-letters/redeliver", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> redeliverAll(@PathVariable long subscriptionId) {
        repository.show(subscriptionId).orElseThrow(() -> notFound(subscriptionId));
        int n = repository.redeliverAll(subscriptionId);
        log.info("{} dead letters of webhook subscription {} redelivered by an admin", n, subscriptionId);
        return Map.of("redelivered", n);
    }

    @GetMapping(path = "/api/webhooks/templates", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> templates() {
        return Map.of("templates", MappingTemplates.all(json));
    }

    @GetMapping(path = "/api/webhooks/templates/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
    JsonNode template(@PathVariable String name) {
        return MappingTemplates.find(json, name).orElseThrow(() -> ApiException.notFound("no mapping template " + name
                + " (templates: " + MappingTemplates.NAMES + ")"));
    }

    private record Parsed(String name, String url, String secret, List<String> eventTypes, String machineId,
                          String flowId, boolean includeFreeText, JsonNode mapping, boolean enabled) {
        WebhookRepository.Settings settings(byte[] secretEncrypted) {
            return new WebhookRepository.Settings(name, url, secretEncrypted, eventTypes, machineId, flowId, includeFreeText,
                    mapping, enabled);
        }
    }

    private Parsed parse(JsonNode body, boolean creating) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        List<String> problems = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                problems.add(f + ": not a field of a subscription (fields: " + FIELDS.stream().sorted().toList() + ")");
            }
        });
        String url = text(body, "url");
        if (url == null) {
            problems.add("url: required, the receiver's https URL");
        } else {
            String problem = urlProblem(url);
            if (problem != null) {
                problems.add("url: " + problem);
            }
        }
        String name = body.hasNonNull("name") ? body.get("name").asText() : (url == null ? "" : host(url));
        if (name.isBlank() || name.length() > 100) {
            problems.add("name: 1 to 100 characters");
        }
        String secret = null;
        if (body.hasNonNull("secret")) {
            secret = body.get("secret").isTextual() ? body.get("secret").asText() : "";
            String problem = WebhookSigner.problem(secret);
            if (problem != null) {
                problems.add(problem);
            }
        }
        List<String> types = new ArrayList<>();
        JsonNode t = body.get("event_types");
        if (t == null || !t.isArray() || t.isEmpty()) {
            problems.add("event_types: a non-empty list of " + WebhookEvent.TYPES);
        } else {
            for (JsonNode type : t) {
                if (!type.isTextual() || !WebhookEvent.TYPES.contains(type.asText())) {
                    problems.add("event_types: " + type + " is not one of " + WebhookEvent.TYPES);
                } else if (!types.contains(type.asText())) {
                    types.add(type.asText());
                }
            }
        }
        String machine = id(body, "machine_id", problems);
        String flow = id(body, "flow_id", problems);
        JsonNode mapping = null;
        if (body.hasNonNull("mapping") && body.hasNonNull("mapping_template")) {
            problems.add("mapping, mapping_template: give one or neither");
        } else if (body.hasNonNull("mapping")) {
            mapping = body.get("mapping");
            problems.addAll(Mapping.problems(mapping));
        } else if (body.hasNonNull("mapping_template")) {
            String template = body.get("mapping_template").asText();
            mapping = MappingTemplates.find(json, template).orElse(null);
            if (mapping == null) {
                problems.add("mapping_template: one of " + MappingTemplates.NAMES);
            }
        }
        for (String flag : List.of("include_free_text", "enabled")) {
            if (body.has(flag) && !body.get(flag).isBoolean()) {
                problems.add(flag + ": true or false");
            }
        }
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("the webhook subscription is not valid", problems);
        }
        return new Parsed(name, url, secret, types, machine, flow, body.path("include_free_text").asBoolean(false),
                mapping, body.path("enabled").asBoolean(true));
    }

    private static String text(JsonNode body, String field) {
        return body.hasNonNull(field) && body.get(field).isTextual() ? body.get(field).asText() : null;
    }

    private static String id(JsonNode body, String field, List<String> problems) {
        if (!body.hasNonNull(field)) {
            return null;
        }
        String v = body.get(field).asText();
        if (!body.get(field).isTextual() || !ID.matcher(v).matches()) {
            problems.add(field + ": an id of 1 to 100 letters, digits, _ . -");
            return null;
        }
        return v;
    }

    /** https anywhere; plain http only to this machine (a local relay or a test receiver). */
    static String urlProblem(String url) {
        if (url.length() > 2000) {
            return "at most 2000 characters";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            return "not a URL";
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            return "an absolute http(s) URL with a host, without user info or fragment";
        }
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            return null;
        }
        if ("http".equalsIgnoreCase(uri.getScheme()) && LOOPBACK.contains(uri.getHost().toLowerCase())) {
            return null;
        }
        return "https, or http to localhost only (deliveries carry personal data)";
    }

    private static String host(String url) {
        try {
            String host = URI.create(url).getHost();
            return host == null ? "?" : host;
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }

    private void requireKey() {
        if (!secrets.configured()) {
            throw new ApiException(HttpStatus.CONFLICT, "webhooks_not_configured",
                    "set FLOWGATE_WEBHOOK_SECRET_KEY (32 random bytes in base64, e.g. openssl rand -base64 32): "
                            + "subscriptions' secrets are stored encrypted with it");
        }
    }

    private static ApiException notFound(long id) {
        return ApiException.notFound("no webhook subscription " + id);
    }
}
