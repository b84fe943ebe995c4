package io.flowgate.routing.system;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks the admin API's bearer token: {@code Authorization: Bearer $FLOWGATE_ADMIN_TOKEN} (or, during a
 * rotation, the previous token) makes the caller an admin. The presented token is compared with every
 * configured one as SHA-256 digests in constant time, so neither its content nor its length shows in the
 * answer time. With no token configured nothing authenticates: the admin API is closed.
 */
@Component
class AdminTokenAuthentication implements AuthenticationProvider {

    static final String ROLE = "ADMIN";
    private static final Logger log = LoggerFactory.getLogger(AdminTokenAuthentication.class);
    private static final String BEARER = "Bearer ";

    private final byte[] current;
    private final byte[] previous;

    AdminTokenAuthentication(AdminProperties properties) {
        this.current = properties.isOpen() ? sha256(properties.token()) : null;
        this.previous = properties.hasPreviousToken() ? sha256(properties.previousToken()) : null;
        if (current == null) {
            log.warn("FLOWGATE_ADMIN_TOKEN is not set: the admin API (/api/**) refuses every request");
        }
    }

    boolean closed() {
        return current == null;
    }

    /** The bearer token of a request as an unauthenticated {@link Presented}, or null when there is none. */
    static Authentication presented(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return new Presented(header.substring(BEARER.length()).trim());
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        byte[] given = sha256(((Presented) authentication).token);
        // both comparisons always run, so a match on either token takes as long as no match
        boolean matches = current != null & MessageDigest.isEqual(current == null ? new byte[32] : current, given);
        matches |= previous != null & MessageDigest.isEqual(previous == null ? new byte[32] : previous, given);
        if (!matches) {
            throw new BadCredentialsException("missing or wrong bearer token");
        }
        return new Admin();
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return Presented.class.isAssignableFrom(authentication);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A bearer token as the request presented it, not yet checked; never printed. */
    static final class Presented extends AbstractAuthenticationToken {
        private final transient String token;

        Presented(String token) {
            super(null);
            this.token = token;
        }

        @Override
        public Object getCredentials() {
            return "[hidden]";
        }

        @Override
        public Object getPrincipal() {
            return "bearer token";
        }
    }

    /** The caller who presented a right token. */
    static final class Admin extends AbstractAuthenticationToken {
        Admin() {
            super(AuthorityUtils.createAuthorityList("ROLE_" + ROLE));
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return null;
        }

        @Override
        public Object getPrincipal() {
            return "admin";
        }
    }
}
