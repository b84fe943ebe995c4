package io.flowgate.routing.system;

import org.springframework.http.HttpStatus;

import java.util.List;

/**
 * A refusal of an admin API request that the caller can fix: answered with its status and a JSON body
 * {@code {"error": code, "message": ..., "details": [...]}} listing every problem found.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final List<String> details;

    public ApiException(HttpStatus status, String code, String message, List<String> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = List.copyOf(details);
    }

    public ApiException(HttpStatus status, String code, String message) {
        this(status, code, message, List.of());
    }

    public static ApiException badRequest(String message, List<String> details) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request", message, details);
    }

    public static ApiException badRequest(String message) {
        return badRequest(message, List.of());
    }

    public static ApiException notFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, "not_found", message);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<String> details() {
        return details;
    }
}
