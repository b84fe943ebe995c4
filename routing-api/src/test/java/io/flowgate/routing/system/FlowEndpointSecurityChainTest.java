package io.flowgate.routing.system;

import io.flowgate.routing.support.RoutingApiInstance;
import jakarta.servlet.Filter;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authorization.ObservationAuthorizationManager;
import org.springframework.security.web.FilterChainProxy;
import org.springframework.security.web.access.ExceptionTranslationFilter;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.header.HeaderWriterFilter;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Meta's {@code POST /flows/endpoint} goes through a minimal chain of Spring Security's own (issue 12: less work
 * per request on the hot path), still decided by its authorisation filter; every other method and path, that one
 * included, stays with the admin chain and its bearer authentication.
 */
class FlowEndpointSecurityChainTest {

    private final FilterChainProxy chains = RoutingApiInstance.shared().context().getBean(FilterChainProxy.class);

    @Test
    void theFlowEndpointHasAMinimalChainThatStillAuthorises() {
        List<Class<?>> filters = filters("POST", "/flows/endpoint");
        assertThat(filters).contains(AuthorizationFilter.class)
                .doesNotContain(AuthenticationFilter.class, AnonymousAuthenticationFilter.class,
                        ExceptionTranslationFilter.class, HeaderWriterFilter.class);
    }

    @Test
    void otherMethodsOfThePathAndTheAdminApiKeepTheAdminChain() {
        for (String[] request : new String[][]{{"GET", "/flows/endpoint"}, {"POST", "/api/flows"}, {"POST", "/flows/endpoint/x"}}) {
            assertThat(filters(request[0], request[1])).as(request[0] + " " + request[1])
                    .contains(AuthenticationFilter.class, ExceptionTranslationFilter.class, AuthorizationFilter.class);
        }
    }

    /** Issue 12: Spring Security's observation wrappers were per-request work on every path, the Flow endpoint's included. */
    @Test
    void theAuthorisationDecisionsAreNotWrappedInObservations() {
        for (String[] request : new String[][]{{"POST", "/flows/endpoint"}, {"POST", "/api/flows"}}) {
            AuthorizationFilter authorization = (AuthorizationFilter) chain(request[0], request[1]).stream()
                    .filter(AuthorizationFilter.class::isInstance).findFirst().orElseThrow();
            assertThat(authorization.getAuthorizationManager()).as(request[0] + " " + request[1])
                    .isNotInstanceOf(ObservationAuthorizationManager.class);
        }
    }

    /**
     * The minimal chain is chosen by the Flow endpoint's path: spellings that start with it and walk elsewhere must
     * not reach the admin API without a token (sent raw, so that no client normalises them first).
     */
    @Test
    void spellingsThatStartWithTheFlowEndpointDoNotReachTheAdminApi() throws Exception {
        int port = RoutingApiInstance.shared().port();
        for (String path : List.of("/flows/endpoint/../../api/flows", "/flows/endpoint/%2e%2e/%2e%2e/api/flows",
                "/flows/endpoint;/../../api/flows", "/flows/endpoint%2f..%2f..%2fapi%2fflows",
                "/flows/endpoint/..;/..;/api/flows", "/flows/endpoint%00/../../api/flows", "//flows/endpoint/../../api/flows")) {
            try (Socket socket = new Socket("localhost", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2\r\nConnection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int status = Integer.parseInt(answer.substring(9, 12));
                assertThat(status).as(path + " -> " + answer.lines().findFirst().orElse("")).isBetween(400, 499);
            }
        }
    }

    private List<Class<?>> filters(String method, String path) {
        return chain(method, path).stream().<Class<?>>map(Object::getClass).toList();
    }

    private List<Filter> chain(String method, String path) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setServletPath(path);
        // the first chain that matches serves the request, as in FilterChainProxy
        return chains.getFilterChains().stream().filter(c -> c.matches(request)).findFirst().orElseThrow().getFilters();
    }
}
