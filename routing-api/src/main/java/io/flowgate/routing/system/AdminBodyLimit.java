package io.flowgate.routing.system;

import io.flowgate.meta.Masked;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One size limit for every admin request body, enforced in one place before any controller, argument
 * resolver or message converter reads a byte of it: the body is read here, at most
 * {@code flowgate.admin.max-body-bytes} of it ({@link BoundedBody#read}, whether or not a
 * {@code Content-Length} was sent: a chunked body is counted as it arrives), and handed on from memory; a
 * larger one is answered 413 {@code {"error":"too_large"}} naming the setting, and no controller runs.
 * The routes allowed another limit are the table {@link #routes}.
 *
 * <p>It runs after Spring Security, so the body of a caller without the admin token is never read, and it
 * applies to every request that got through, except Meta's Flow endpoint, which bounds its own body with
 * its own setting and answers in Meta's protocol. The routes are matched with the same
 * {@link PathPatternRequestMatcher}s as the security rules, on the path the dispatcher routes: a spelling
 * of a path that reaches a controller reaches it through here, and one that does not match the table
 * gets the general limit, never none.
 */
@Component
@Order(SecurityProperties.DEFAULT_FILTER_ORDER + 1)
class AdminBodyLimit extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(AdminBodyLimit.class);

    /** A route with its own limit, and the environment variable that sets it (named in the 413). */
    record Limit(RequestMatcher route, int bytes, String variable) {
    }

    private final RequestMatcher flowEndpoint = PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/flows/endpoint");
    private final Limit general;
    private final List<Limit> routes;

    AdminBodyLimit(AdminProperties properties) {
        this.general = new Limit(request -> true, properties.maxBodyBytes(), "FLOWGATE_ADMIN_MAX_BODY_BYTES");
        this.routes = routes(properties);
    }

    /** The admin routes whose body may be larger than {@code flowgate.admin.max-body-bytes}, each with its limit. */
    static List<Limit> routes(AdminProperties properties) {
        PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
        return List.of(
                new Limit(path.matcher(HttpMethod.PUT, "/api/flows/{flowId}"), properties.maxFlowJsonBytes(), "FLOWGATE_FLOW_JSON_MAX_BYTES"));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getContentLengthLong() == 0 || flowEndpoint.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Limit limit = routes.stream().filter(l -> l.route().matches(request)).findFirst().orElse(general);
        byte[] body = BoundedBody.read(request, limit.bytes());
        if (body == null) {
            log.info("{} {} answered 413: its body is larger than {} bytes ({})", request.getMethod(),
                    Masked.text(request.getRequestURI()), limit.bytes(), limit.variable());
            JsonErrors.write(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "too_large",
                    "the request body is larger than " + limit.bytes() + " bytes (" + limit.variable() + ")");
            return;
        }
        chain.doFilter(new ReadBody(request, body), response);
    }

    /** The request with its body already read, served from memory. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body was read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = StandardCharsets.UTF_8;
            try {
                charset = encoding == null ? charset : Charset.forName(encoding);
            } catch (IllegalArgumentException unknown) {
                // the admin API speaks UTF-8 JSON; an unknown charset name is not worth a refusal here
            }
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
