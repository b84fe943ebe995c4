package io.flowgate.routing.system;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Applies {@link ControlCharacters} to every piece of admin input in one place, so no controller can
 * forget it: each {@code @RequestBody} once parsed (the uploads read with {@link AdminJsonBody#parse}
 * are checked there), and every path variable and query parameter of {@code /api/**} before the
 * controller runs. A refusal is the admin API's 400 naming the field; nothing reaches the database.
 */
@ControllerAdvice
class AdminInputCheck extends RequestBodyAdviceAdapter implements WebMvcConfigurer {

    @Override
    public boolean supports(MethodParameter parameter, Type targetType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public Object afterBodyRead(Object body, HttpInputMessage inputMessage, MethodParameter parameter, Type targetType,
                                Class<? extends HttpMessageConverter<?>> converterType) {
        if (body instanceof JsonNode json) {
            ControlCharacters.requireClean(json, "body");
        } else if (body instanceof String text) {
            ControlCharacters.requireClean(text, "body");
        }
        return body;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                if (request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables) {
                    variables.forEach((name, value) -> ControlCharacters.requireClean(String.valueOf(value), "path variable " + name));
                }
                for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
                    ControlCharacters.requireClean(parameter.getKey(), "a query parameter name");
                    for (String value : parameter.getValue()) {
                        ControlCharacters.requireClean(value, "query parameter " + parameter.getKey());
                    }
                }
                return true;
            }
        }).addPathPatterns("/api/**");
    }
}
