package io.flowgate.routing.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards every {@code /api/**} admin endpoint with {@code Authorization: Bearer $FLOWGATE_ADMIN_TOKEN},
 * compared in constant time. With no token configured the admin API is closed (401 for everyone), so
 * a forgotten variable never leaves it open.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class AdminTokenFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(AdminTokenFilter.class);
    private static final String BEARER = "Bearer ";

    private final byte[] expected;

    AdminTokenFilter(AdminProperties properties) {
        this.expected = properties.isOpen() ? properties.token().getBytes(StandardCharsets.UTF_8) : null;
        if (expected == null) {
            log.warn("FLOWGATE_ADMIN_TOKEN is not set: the admin API (/api/**) refuses every request");
        }
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !(path.equals("/api") || path.startsWith("/api/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (authorized(request.getHeader("Authorization"))) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader("WWW-Authenticate", "Bearer realm=\"flowgate-admin\"");
        response.setContentType("application/json");
        String why = expected == null ? "the admin API is closed: FLOWGATE_ADMIN_TOKEN is not set"
                : "missing or wrong bearer token";
        response.getWriter().write("{\"error\":\"unauthorized\",\"message\":\"" + why + "\"}");
    }

    private boolean authorized(String header) {
        if (expected == null || header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] given = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }
}
