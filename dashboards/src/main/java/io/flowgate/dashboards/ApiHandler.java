package io.flowgate.dashboards;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

/**
 * The read-only JSON under {@code /api/}: one resource per chart, its parameters checked and clamped
 * here so that no request can ask the database for an unbounded range. A database that does not answer
 * gives a 503 the page shows as such; its error stays in the log, not in the answer.
 *
 * <pre>
 * GET /api/funnel?flow=&amp;cohort=2026-11-01T10:00:00Z    GET /api/latency?screen=&amp;action=&amp;minutes=60
 * GET /api/alerts                                   GET /api/stale?hours=24
 * GET /api/leads                                    GET /api/inventory?limit=15
 * GET /api/experiments?experiment=
 * GET /api/meta-health?flow=                        GET /api/meta-status
 * GET /api/versions?flow=&amp;a=1&amp;b=2
 * </pre>
 */
final class ApiHandler implements HttpHandler {

    static final int DEFAULT_LATENCY_MINUTES = 60;
    static final int MAX_LATENCY_MINUTES = 24 * 60;
    static final int DEFAULT_STALE_HOURS = 24;
    static final int MAX_STALE_HOURS = 7 * 24;
    static final int DEFAULT_ITEMS = 15;
    static final int MAX_ITEMS = 50;
    private static final int MAX_QUERY_LENGTH = 2048;
    private static final int MAX_TEXT_PARAMETER = 200;

    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    private final AnalyticsQueries queries;
    private final VersionQueries versions;
    private final ObjectMapper json = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    ApiHandler(AnalyticsQueries queries) {
        this.queries = queries;
        this.versions = new VersionQueries(queries.dataSource());
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!HttpResponses.readOnly(exchange)) {
                return;
            }
            String path = exchange.getRequestURI().getPath();
            try {
                Map<String, String> query = parameters(exchange.getRequestURI().getRawQuery());
                Object body = switch (path) {
                    case "/api/funnel" -> queries.funnel(text(query, "flow"), instant(query, "cohort"));
                    case "/api/latency" -> latency(query);
                    case "/api/alerts" -> queries.alerts();
                    case "/api/stale" -> queries.stale(number(query, "hours", DEFAULT_STALE_HOURS, 1, MAX_STALE_HOURS));
                    case "/api/leads" -> queries.leads();
                    case "/api/inventory" -> queries.inventory(number(query, "limit", DEFAULT_ITEMS, 1, MAX_ITEMS));
                    case "/api/experiments" -> queries.experiments(text(query, "experiment"));
                    case "/api/meta-health" -> queries.metaHealth(text(query, "flow"));
                    case "/api/meta-status" -> queries.metaStatus();
                    case "/api/versions" -> versions.compare(text(query, "flow"), version(query, "a"), version(query, "b"));
                    default -> null;
                };
                if (body == null) {
                    error(exchange, 404, "not_found", "no such resource: " + path);
                } else {
                    HttpResponses.send(exchange, 200, "application/json; charset=utf-8", json.writeValueAsBytes(body));
                }
            } catch (BadParameterException e) {
                error(exchange, 400, "bad_parameter", e.getMessage());
            } catch (SQLException e) {
                log.warn("dashboard query {} failed: {} (SQLState {})", path, e.getMessage(), e.getSQLState());
                error(exchange, 503, "database_unavailable", "the analytics database did not answer");
            }
        }
    }

    private Object latency(Map<String, String> query) throws SQLException {
        String screen = text(query, "screen");
        String action = text(query, "action");
        if ((screen == null) != (action == null)) {
            throw new BadParameterException("screen and action go together: give both or neither");
        }
        return queries.latency(screen, action,
                number(query, "minutes", DEFAULT_LATENCY_MINUTES, 5, MAX_LATENCY_MINUTES));
    }

    private void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        HttpResponses.send(exchange, status, "application/json; charset=utf-8",
                json.writeValueAsBytes(Map.of("error", code, "message", message)));
    }

    static Map<String, String> parameters(String rawQuery) {
        Map<String, String> parameters = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        if (rawQuery.length() > MAX_QUERY_LENGTH) {
            throw new BadParameterException("query string longer than " + MAX_QUERY_LENGTH + " characters");
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                // the first occurrence wins, so a parameter cannot be overridden by appending it again
                parameters.putIfAbsent(name, value);
            } catch (IllegalArgumentException e) {
                throw new BadParameterException("malformed query string");
            }
        }
        return parameters;
    }

    /** A text parameter: absent is null, present (even empty: the screen of a ping is '') is the value. */
    static String text(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value != null && value.length() > MAX_TEXT_PARAMETER) {
            throw new BadParameterException(name + " is longer than " + MAX_TEXT_PARAMETER + " characters");
        }
        return value;
    }

    static OffsetDateTime instant(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new BadParameterException(name + " must be an ISO-8601 instant such as 2026-11-01T10:00:00Z");
        }
    }

    /** A Flow version (0: sessions without one), or null when absent. */
    static Integer version(Map<String, String> query, String name) {
        return query.get(name) == null || query.get(name).isEmpty() ? null : number(query, name, 0, 0, Integer.MAX_VALUE);
    }

    static int number(Map<String, String> query, String name, int fallback, int min, int max) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value);
            if (number < min || number > max) {
                throw new BadParameterException(name + " must be between " + min + " and " + max);
            }
            return number;
        } catch (NumberFormatException e) {
            throw new BadParameterException(name + " must be a whole number between " + min + " and " + max);
        }
    }

    /** A parameter the page would never send: answered 400 with what is wrong. */
    static final class BadParameterException extends RuntimeException {
        BadParameterException(String message) {
            super(message, null, false, false);
        }
    }
}
