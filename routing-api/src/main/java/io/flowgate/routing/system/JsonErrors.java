package io.flowgate.routing.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one shape of the API's error answers, {@code {"error": code, "message": ..., "details": [...]}}, for
 * the refusals Spring MVC answers ({@link ApiExceptionHandler}) and for those the filters in front of it
 * write themselves ({@link AdminSecurity}, {@link AdminBodyLimit}).
 */
final class JsonErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonErrors() {
    }

    static Map<String, Object> body(String code, String message, List<String> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        if (!details.isEmpty()) {
            body.put("details", details);
        }
        return body;
    }

    /** Writes the answer unless one was already sent. */
    static void write(HttpServletResponse response, int status, String code, String message) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        JSON.writeValue(response.getOutputStream(), body(code, message, List.of()));
    }
}
