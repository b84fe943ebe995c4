package io.flowgate.routing.system;

import io.flowgate.routing.support.RawHttp;
import io.flowgate.routing.support.RawHttp.Answer;
import io.flowgate.routing.support.RoutingApiInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * Every admin route, enumerated at run time from the handler mapping (so a new route is covered without
 * touching this test), is sent over a raw socket in a corpus of path spellings that a path-string filter
 * would misread: {@code ;params} on each segment, a percent-encoded letter, encoded slashes and dots,
 * double slashes, {@code /./}, {@code ..}, upper case, a trailing slash. Without the right token no
 * spelling may be answered with anything but the security layer's refusal (401, 403 or the firewall's
 * 400), and no table may change; with the right token the canonical spelling reaches the controller.
 */
class AdminPathSpellingsTest {

    private static final String PREVIOUS_TOKEN = "previous-admin-token";
    private static final String FLOW = "spell-flow";
    private static final String WA_ID = "15550001234";
    private static final Pattern VARIABLE = Pattern.compile("\\{([^}:]+)(?::([^}]*))?}");
    // what the security layer answers; anything else means the request reached Spring MVC
    private static final Set<String> REFUSALS = Set.of("unauthorized", "forbidden", "request_rejected");

    private static RoutingApiInstance app;
    private static String sessionId;
    private static String ruleId;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.builder().property("flowgate.admin.previous-token", PREVIOUS_TOKEN).start();
        app.uploadFlow(FLOW, "linear.json");
        assertThat(app.admin("PUT", "/api/customers/" + WA_ID, "{\"tier\":\"gold\"}").status()).isEqualTo(200);
        assertThat(app.admin("PUT", "/api/inventory/spell-item", "{\"name\":\"Item\",\"stock\":3}").status()).isEqualTo(200);
        var rule = app.admin("POST", "/api/flows/" + FLOW + "/rules",
                "{\"screen\":\"WELCOME\",\"priority\":5,\"name\":\"r\",\"condition\":\"true\",\"next_screen\":\"DETAILS\"}");
        assertThat(rule.status()).as(rule.raw()).isEqualTo(201);
        ruleId = rule.json().path("rule_id").asText();
        sessionId = app.mint(WA_ID, FLOW, null).path("session_id").asText();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void noSpellingOfAnAdminRouteIsServedWithoutTheToken() throws Exception {
        List<Route> routes = adminRoutes();
        assertThat(routes).hasSizeGreaterThan(20);
        Map<String, String> before = tables();
        Map<String, Integer> tally = new TreeMap<>();
        List<String> served = new ArrayList<>();
        int requests = 0;
        for (Route route : routes) {
            for (String spelling : spellings(route.path())) {
                for (String token : new String[] {null, "wrong-token", RoutingApiInstance.ADMIN_TOKEN + "x"}) {
                    Answer answer = send(route.method(), spelling, token, route.body());
                    requests++;
                    tally.merge((token == null ? "no token" : "wrong token") + " -> " + answer.status() + " " + answer.error(), 1, Integer::sum);
                    if (!refusedBySecurity(answer)) {
                        served.add(route.method() + " " + spelling + " (token " + token + ") -> " + answer.status() + " " + answer.body());
                    }
                }
            }
        }
        System.out.printf("admin path spellings: %d routes, %d requests without the right token: %s%n", routes.size(), requests, tally);
        Map<String, String> after = tables();
        int total = requests;
        assertSoftly(softly -> {
            softly.assertThat(served).as("answered by the application without the right token").isEmpty();
            softly.assertThat(after).as("tables after %d requests without the right token", total).isEqualTo(before);
        });
    }

    @Test
    void theRightTokenServesTheCanonicalPathAndNoSpellingGivesAServerError() throws Exception {
        Map<String, Integer> tally = new TreeMap<>();
        int requests = 0;
        for (Route route : adminRoutes()) {
            if (!route.method().equals("GET")) {
                continue; // a state change with the right token is the admin API working, not what is tested here
            }
            Answer canonical = send("GET", route.path(), RoutingApiInstance.ADMIN_TOKEN, null);
            assertThat(reachedController(canonical)).as("GET %s: %d %s", route.path(), canonical.status(), canonical.body()).isTrue();
            assertThat(send("GET", route.path(), PREVIOUS_TOKEN, null).body()).as("previous token on %s", route.path())
                    .isEqualTo(canonical.body());
            for (String spelling : spellings(route.path())) {
                if (spelling.equals(route.path())) {
                    continue;
                }
                Answer answer = send("GET", spelling, RoutingApiInstance.ADMIN_TOKEN, null);
                requests++;
                boolean same = answer.status() == canonical.status() && answer.body().equals(canonical.body());
                tally.merge(same ? "served as the canonical path" : answer.status() + " " + answer.error(), 1, Integer::sum);
                // refused, served as the route, or (a changed path variable) another row of it: never a 5xx or an HTML page
                assertThat(answer.status()).as("GET %s: %s", spelling, answer.body()).isLessThan(500);
                assertThat(same || !answer.error().startsWith("(not JSON")).as("GET %s: %s", spelling, answer.body()).isTrue();
            }
        }
        System.out.printf("admin path spellings with the right token: %d non-canonical GETs: %s%n", requests, tally);
    }

    @Test
    void refusalsAreJsonWithTheBearerChallenge() throws Exception {
        Answer none = send("GET", "/api/flows", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.error()).isEqualTo("unauthorized");
        assertThat(none.header("www-authenticate")).isEqualTo("Bearer realm=\"flowgate-admin\"");
        assertThat(none.header("set-cookie")).isNull();
        Answer rejected = send("GET", "/api;x/flows", RoutingApiInstance.ADMIN_TOKEN, null);
        assertThat(rejected.status()).isEqualTo(400);
        assertThat(rejected.error()).isEqualTo("request_rejected");
        Answer unknown = send("GET", "/nothing-here", RoutingApiInstance.ADMIN_TOKEN, null);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(send("GET", "/actuator/health", null, null).status()).isEqualTo(200);
        assertThat(send("GET", "/actuator/prometheus", null, null).status()).isEqualTo(200);
    }

    @Test
    void withoutAnAdminTokenTheAdminApiIsClosedEvenToThePreviousOne() throws Exception {
        try (RoutingApiInstance closed = RoutingApiInstance.builder().database(app.dbUrl())
                .property("flowgate.admin.token", "").property("flowgate.admin.previous-token", PREVIOUS_TOKEN).start()) {
            for (String token : new String[] {null, PREVIOUS_TOKEN, RoutingApiInstance.ADMIN_TOKEN}) {
                var answer = closed.adminAs(token, "GET", "/api/flows", null);
                assertThat(answer.status()).as("token %s", token).isEqualTo(401);
                assertThat(answer.json().path("message").asText()).contains("FLOWGATE_ADMIN_TOKEN is not set");
            }
        }
    }

    /** Every (method, path) of a handler under /api, path variables filled with values that exist. */
    private static List<Route> adminRoutes() throws IOException {
        RequestMappingHandlerMapping mapping = app.context().getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        List<Route> routes = new ArrayList<>();
        for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api")) {
                    continue;
                }
                for (String path : fill(pattern)) {
                    for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET, RequestMethod.POST) : methods) {
                        routes.add(new Route(method.name(), path, body(pattern)));
                    }
                }
            }
        }
        return routes;
    }

    private static List<String> fill(String pattern) {
        Matcher m = VARIABLE.matcher(pattern);
        if (!m.find()) {
            return List.of(pattern);
        }
        List<String> values = m.group(2) != null && m.group(2).matches("[\\w-]+(\\|[\\w-]+)*")
                ? List.of(m.group(2).split("\\|"))
                : List.of(value(m.group(1), pattern));
        List<String> paths = new ArrayList<>();
        for (String v : values) {
            paths.addAll(fill(pattern.substring(0, m.start()) + v + pattern.substring(m.end())));
        }
        return paths;
    }

    private static String value(String variable, String pattern) {
        return switch (variable) {
            case "flowId" -> FLOW;
            case "ruleId" -> pattern.contains("alert-rules") ? "1" : ruleId;
            case "sessionId" -> sessionId;
            case "itemId" -> "spell-item";
            case "slotId" -> "spell-slot";
            case "machineId" -> "lead_qualification";
            case "version" -> "1"; // a Flow version: the first upload's
            default -> WA_ID; // waId, key: the customer, whose row a bypass would change
        };
    }

    private static String body(String pattern) throws IOException {
        if (pattern.equals("/api/flows/{flowId}")) {
            try (InputStream in = AdminPathSpellingsTest.class.getResourceAsStream("/flows/linear.json")) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        if (pattern.equals("/api/flow-sessions")) {
            return "{\"wa_id\":\"" + WA_ID + "\",\"flow_id\":\"" + FLOW + "\"}";
        }
        if (pattern.contains("/rules")) {
            return "{\"screen\":\"WELCOME\",\"priority\":9,\"name\":\"x\",\"condition\":\"true\",\"next_screen\":\"CONFIRM\"}";
        }
        if (pattern.contains("alert-rules")) {
            return "{\"screen\":\"*\",\"percentile\":90,\"threshold_ms\":100,\"window_minutes\":5,\"description\":\"x\"}";
        }
        return "{\"tier\":\"bronze\",\"name\":\"changed\",\"stock\":0}";
    }

    /**
     * The corpus: the canonical path and the spellings a servlet container or Spring MVC may map to the
     * same handler (or a filter may misread), each written into the request line byte for byte.
     */
    static List<String> spellings(String path) {
        String[] segments = path.substring(1).split("/");
        Set<String> out = new LinkedHashSet<>();
        out.add(path);
        for (int i = 0; i < segments.length; i++) {
            out.add(replace(segments, i, segments[i] + ";x"));
            out.add(replace(segments, i, segments[i] + ";"));
            out.add(replace(segments, i, segments[i] + ";jsessionid=1"));
            out.add(replace(segments, i, encodeFirstLetter(segments[i])));
            out.add(replace(segments, i, segments[i] + "%3Bx"));
            out.add(replace(segments, i, segments[i].toUpperCase(Locale.ROOT)));
            out.add(replace(segments, i, "./" + segments[i]));
            out.add(replace(segments, i, "/" + segments[i]));
            out.add(replace(segments, i, "zz/../" + segments[i]));
            out.add(replace(segments, i, "%2e/" + segments[i]));
            out.add(replace(segments, i, "zz/%2e%2e/" + segments[i]));
            out.add(replace(segments, i, "zz/%2E%2E/" + segments[i]));
            if (i > 0) {
                out.add(splitAt(segments, i, "%2F"));
                out.add(splitAt(segments, i, "%2f"));
                out.add(splitAt(segments, i, "%5C"));
            }
        }
        out.add(path.toUpperCase(Locale.ROOT));
        out.add(path + "/");
        out.add(path + "/.");
        out.add(path + ";");
        out.add(path + "//");
        out.add("/foo/../" + path.substring(1));
        out.add("/foo/%2e%2e/" + path.substring(1));
        out.add("/%2e" + path);
        out.add("/./" + path.substring(1));
        out.add("/;" + path);
        out.add(path.replace("a", "%61"));
        out.add(path.replace("/", "%2F").replaceFirst("%2F", "/"));
        return List.copyOf(out);
    }

    private static String replace(String[] segments, int index, String replacement) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            path.append('/').append(i == index ? replacement : segments[i]);
        }
        return path.toString();
    }

    private static String splitAt(String[] segments, int index, String separator) {
        return "/" + String.join("/", Arrays.copyOfRange(segments, 0, index)) + separator
                + String.join("/", Arrays.copyOfRange(segments, index, segments.length));
    }

    private static String encodeFirstLetter(String segment) {
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (Character.isLetter(c)) {
                return segment.substring(0, i) + String.format("%%%02x", (int) c) + segment.substring(i + 1);
            }
        }
        return segment;
    }

    private static Answer send(String method, String target, String token, String body) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        return RawHttp.send(app.port(), method, target, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8), false);
    }

    /** A fingerprint (row count and a digest of every row) of each table in the schema. */
    private static Map<String, String> tables() throws SQLException {
        Map<String, String> fingerprints = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(app.dbUrl(), "postgres", "")) {
            List<String> names = new ArrayList<>();
            try (var rs = c.createStatement().executeQuery(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'flyway_schema_history'")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            for (String table : names) {
                try (var rs = c.createStatement().executeQuery("SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \""
                        + table + "\" t")) {
                    rs.next();
                    fingerprints.put(table, rs.getString(1));
                }
            }
        }
        return fingerprints;
    }

    private record Route(String method, String path, String body) {
    }

    /** 200, or the controller's own 404 for a row that does not exist (a user with no lead). */
    private static boolean reachedController(Answer answer) {
        return answer.status() == 200
                || answer.status() == 404 && answer.body().contains("\"not_found\"") && !answer.body().contains("no such path");
    }

    /** Answered by the security layer: the firewall's 400, or 401 or 403. */
    static boolean refusedBySecurity(Answer answer) {
        return (answer.status() == 400 || answer.status() == 401 || answer.status() == 403) && REFUSALS.contains(answer.error());
    }
}
