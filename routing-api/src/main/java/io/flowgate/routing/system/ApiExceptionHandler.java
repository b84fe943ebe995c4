package io.flowgate.routing.system;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import java.util.List;
import java.util.Map;

/**
 * Turns every failure of the JSON APIs into a JSON answer with a clear message: 4xx for what the caller
 * sent, 503 with {@code Retry-After} when the database is unreachable ({@link DatabaseOutage}, whatever
 * wraps the failure), and for our own bugs a 500 with an incident id that
 * matches the log line. Never a stack trace in an answer.
 */
@RestControllerAdvice
class ApiExceptionHandler {

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> refused(ApiException e) {
        return body(e.status(), e.code(), e.getMessage(), e.details());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        // the parser's own words say where (line, column) and what; they quote at most one character.
        // Not a mapping failure's: it would name our classes.
        String detail = e.getMostSpecificCause() instanceof com.fasterxml.jackson.core.JsonProcessingException json
                && !(json instanceof com.fasterxml.jackson.databind.JsonMappingException)
                ? json.getOriginalMessage() + (json.getLocation() == null ? ""
                : " (line " + json.getLocation().getLineNr() + ", column " + json.getLocation().getColumnNr() + ")")
                : null;
        return body(HttpStatus.BAD_REQUEST, "invalid_json", "the request body is not valid JSON of the expected shape",
                detail == null ? List.of() : List.of(detail));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return body(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send application/json", List.of());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException e) {
        return body(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed", e.getMethod() + " is not supported here", List.of());
    }

    @ExceptionHandler({MissingRequestHeaderException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<Map<String, Object>> badParameter(Exception e) {
        return body(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage(), List.of());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Map<String, Object>> noSuchPath(NoResourceFoundException e) {
        return body(HttpStatus.NOT_FOUND, "not_found", "no such path", List.of());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> bug(Exception e) {
        UnexpectedFailure failure = UnexpectedFailure.of(e, "the admin API");
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(failure.status());
        if (failure.retryLater()) {
            answer.header(HttpHeaders.RETRY_AFTER, "1");
        }
        return answer.body(JsonErrors.body(failure.code(), failure.message(), List.of()));
    }

    private static ResponseEntity<Map<String, Object>> body(HttpStatus status, String code, String message, List<String> details) {
        return ResponseEntity.status(status).body(JsonErrors.body(code, message, details));
    }
}
