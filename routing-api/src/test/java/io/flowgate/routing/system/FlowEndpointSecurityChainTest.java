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
