package io.flowgate.routing.system;

import io.flowgate.routing.support.RawHttp;
import io.flowgate.routing.support.RawHttp.Answer;
import io.flowgate.routing.support.RoutingApiInstance;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import jakarta.servlet.http.HttpServletRequest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one size limit of admin bodies ({@link AdminBodyLimit}), tried on every admin route enumerated at
 * run time from the handler mapping (a new route is covered without touching this test): a body one byte
 * over the limit is answered 413 {@code too_large} naming the setting, whether it comes with a
 * {@code Content-Length}, chunked without one, or as a chunked form; never a 500, and no controller runs. A body
 * at the limit reaches the controller; the Flow upload, the one route of the table, has its own larger
 * limit; and no hostile spelling of a path ({@link AdminPathSpellingsTest#spellings}) gets past it.
 */
class AdminBodyLimitTest {

    private static final int LIMIT = 4096;
    private static final int FLOW_LIMIT = 16384;
    private static final String FLOW_ROUTE = "PUT /api/flows/{flowId}";
    private static final String WA_ID = "15550009876";
    private static final Pattern VARIABLE = Pattern.compile("\\{([^}:]+)(?::([^}|]*)[^}]*)?}");

    private static RoutingApiInstance app;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.builder()
                .property("flowgate.admin.max-body-bytes", LIMIT)
                .property("flowgate.admin.max-flow-json-bytes", FLOW_LIMIT)
                .start();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void everyAdminRouteAnswers413ForABodyOverTheLimitHoweverItIsSent() throws Exception {
        List<Route> routes = adminRoutes();
        assertThat(routes).hasSizeGreaterThan(40);
        Map<String, Integer> tally = new TreeMap<>();
        SoftAssertions softly = new SoftAssertions();
        for (Route route : routes) {
            int limit = route.limit();
            String variable = limit == FLOW_LIMIT ? "FLOWGATE_FLOW_JSON_MAX_BYTES" : "FLOWGATE_ADMIN_MAX_BODY_BYTES";
            for (Sending how : Sending.values()) {
                Answer over = send(route.method(), route.path(), RoutingApiInstance.ADMIN_TOKEN, how, padded(limit + 1));
                softly.assertThat(over.status()).as("%s %s, %d bytes %s: %s", route.method(), route.path(), limit + 1, how, clip(over.body()))
                        .isEqualTo(413);
                softly.assertThat(over.error()).as("%s %s %s", route.method(), route.path(), how).isEqualTo("too_large");
                softly.assertThat(over.body()).as("%s %s %s", route.method(), route.path(), how).contains(variable);
                softly.assertThat(over.header("content-type")).as("%s %s %s", route.method(), route.path(), how).startsWith("application/json");
            }
            if (route.readsBody()) {
                Answer at = send(route.method(), route.path(), RoutingApiInstance.ADMIN_TOKEN, Sending.CHUNKED, padded(limit));
                tally.merge(at.status() + " " + at.error(), 1, Integer::sum);
                softly.assertThat(at.status()).as("%s %s, a body of %d bytes: %s", route.method(), route.path(), limit, clip(at.body()))
                        .isNotEqualTo(413).isLessThan(500);
            }
        }
        softly.assertAll();
        System.out.printf("admin body limit: %d routes; bodies at the limit answered %s%n", routes.size(), tally);
    }

    @Test
    void aBodyAtTheLimitIsStoredAndOneByteMoreIsRefusedBeforeTheController() {
        String fits = validCustomer("gold", LIMIT);
        assertThat(fits).hasSize(LIMIT);
        var stored = app.admin("PUT", "/api/customers/" + WA_ID, fits);
        assertThat(stored.status()).as(clip(stored.raw())).isEqualTo(200);

        var refused = app.admin("PUT", "/api/customers/" + WA_ID, validCustomer("silver", LIMIT + 1));
        assertThat(refused.status()).as(clip(refused.raw())).isEqualTo(413);
        assertThat(refused.json().path("message").asText())
                .isEqualTo("the request body is larger than " + LIMIT + " bytes (FLOWGATE_ADMIN_MAX_BODY_BYTES)");
        assertThat(app.admin("GET", "/api/customers", null).raw()).contains("\"gold\"").doesNotContain("\"silver\"");
    }

    @Test
    void aFlowJsonMayBeAsLargeAsItsOwnLimit() throws IOException {
        String flow = resource("/flows/linear.json");
        var beyondTheGeneralLimit = app.admin("PUT", "/api/flows/limit-flow", spaced(flow, LIMIT + 1));
        assertThat(beyondTheGeneralLimit.status()).as(clip(beyondTheGeneralLimit.raw())).isEqualTo(201);
        var atItsLimit = app.admin("PUT", "/api/flows/limit-flow", spaced(flow, FLOW_LIMIT));
        assertThat(atItsLimit.status()).as(clip(atItsLimit.raw())).isEqualTo(200);
        var over = app.admin("PUT", "/api/flows/limit-flow", spaced(flow, FLOW_LIMIT + 1));
        assertThat(over.status()).as(clip(over.raw())).isEqualTo(413);
        assertThat(over.json().path("message").asText()).contains(FLOW_LIMIT + " bytes (FLOWGATE_FLOW_JSON_MAX_BYTES)");
        // the table is matched on the route the dispatcher serves, not on the path's prefix
        var rules = app.admin("POST", "/api/flows/limit-flow/rules", spaced("{\"next_screen\":\"DETAILS\"}", LIMIT + 1));
        assertThat(rules.status()).as(clip(rules.raw())).isEqualTo(413);
    }

    @Test
    void noSpellingOfAnAdminPathGetsPastTheLimit() throws Exception {
        byte[] over = padded(FLOW_LIMIT + 1);
        Map<String, Integer> tally = new TreeMap<>();
        List<String> passed = new ArrayList<>();
        for (Route route : adminRoutes()) {
            if (route.method().equals("GET")) {
                continue;
            }
            for (String spelling : AdminPathSpellingsTest.spellings(route.path())) {
                Answer answer = send(route.method(), spelling, RoutingApiInstance.ADMIN_TOKEN, Sending.CONTENT_LENGTH, over);
                tally.merge(answer.status() + " " + answer.error(), 1, Integer::sum);
                boolean refused = answer.status() == 413 && answer.error().equals("too_large")
                        || AdminPathSpellingsTest.refusedBySecurity(answer);
                if (!refused) {
                    passed.add(route.method() + " " + spelling + " -> " + answer.status() + " " + answer.body());
                }
            }
        }
        System.out.printf("admin body limit, hostile spellings: %s%n", tally);
        assertThat(passed).as("answered otherwise than 413 or a security refusal").isEmpty();
    }

    @Test
    void theBodyOfACallerWithoutTheTokenIsNotRead() throws Exception {
        Answer answer = send("PUT", "/api/customers/" + WA_ID, null, Sending.CHUNKED, padded(LIMIT + 1));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.error()).isEqualTo("unauthorized");
    }

    /**
     * How a body is sent: with its length, chunked without one, or as a chunked form (which Spring's form
     * filter, if it were on, would read whole before the limit could count it).
     */
    private enum Sending {
        CONTENT_LENGTH, CHUNKED, CHUNKED_FORM
    }

    private static Answer send(String method, String target, String token, Sending how, byte[] body) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        headers.put("Content-Type", how == Sending.CHUNKED_FORM ? "application/x-www-form-urlencoded" : "application/json");
        return RawHttp.send(app.port(), method, target, headers, body, how != Sending.CONTENT_LENGTH);
    }

    /** Valid JSON of exactly {@code size} bytes, which is also a valid form body. */
    private static byte[] padded(int size) {
        String start = "{\"pad\":\"";
        return (start + "a".repeat(size - start.length() - 2) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static String validCustomer(String tier, int size) {
        String start = "{\"tier\":\"" + tier + "\",\"attributes\":{\"note\":\"";
        return start + "n".repeat(size - start.length() - 3) + "\"}}";
    }

    /** The JSON with spaces before its last brace, to exactly {@code size} bytes. */
    private static String spaced(String json, int size) {
        String trimmed = json.strip();
        return trimmed.substring(0, trimmed.length() - 1) + " ".repeat(size - trimmed.length()) + "}";
    }

    /** Every (method, path) of a handler under /api, path variables filled with some value. */
    private static List<Route> adminRoutes() {
        RequestMappingHandlerMapping mapping = app.context().getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        List<Route> routes = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> handler : mapping.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = handler.getKey();
            boolean readsBody = Arrays.stream(handler.getValue().getMethodParameters())
                    .anyMatch(p -> p.hasParameterAnnotation(RequestBody.class) || p.getParameterType() == HttpServletRequest.class);
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api")) {
                    continue;
                }
                for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET, RequestMethod.POST) : methods) {
                    int limit = (method.name() + " " + pattern).equals(FLOW_ROUTE) ? FLOW_LIMIT : LIMIT;
                    routes.add(new Route(method.name(), fill(pattern), readsBody, limit));
                }
            }
        }
        return routes;
    }

    /** The pattern with each variable replaced by a value: the first of its alternatives, or a number. */
    private static String fill(String pattern) {
        Matcher m = VARIABLE.matcher(pattern);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, m.group(2) != null ? m.group(2) : "1");
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = AdminBodyLimitTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String clip(String s) {
        return s == null || s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    private record Route(String method, String path, boolean readsBody, int limit) {
    }
}
