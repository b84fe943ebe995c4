package io.flowgate.routing.meta;

import io.flowgate.routing.whatsapp.GraphApiException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Meta's refusals as the admin API answers them: the status says whose problem it is (400/404 what was
 * asked, 429 Meta's rate limit outlasted the retries, 502 Meta or the credentials failed, 409 the Graph
 * settings are missing) and {@code meta} carries Meta's own {@code code}, {@code message},
 * {@code error_user_title}, {@code error_user_msg} and {@code fbtrace_id}, as Meta sent them.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class MetaErrors {

    @ExceptionHandler(GraphApiException.class)
    ResponseEntity<Map<String, Object>> refused(GraphApiException e) {
        HttpStatus status = switch (e.kind()) {
            case REFUSED -> e.httpStatus() == 404 ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST;
            case RATE_LIMITED -> HttpStatus.TOO_MANY_REQUESTS;
            case CREDENTIALS, UNAVAILABLE -> HttpStatus.BAD_GATEWAY;
            case NOT_CONFIGURED -> HttpStatus.CONFLICT;
        };
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "meta_" + e.kind().name().toLowerCase());
        body.put("message", e.getMessage());
        if (e.kind() != GraphApiException.Kind.NOT_CONFIGURED) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("http_status", e.httpStatus() == 0 ? null : e.httpStatus());
            meta.put("code", e.code());
            meta.put("message", e.metaMessage());
            meta.put("error_user_title", e.errorUserTitle());
            meta.put("error_user_msg", e.errorUserMsg());
            meta.put("fbtrace_id", e.fbtraceId());
            body.put("meta", meta);
            body.put("attempts", e.attempts());
        }
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(status);
        if (status == HttpStatus.TOO_MANY_REQUESTS) {
            answer.header("Retry-After", "60");
        }
        return answer.body(body);
    }
}
