package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletRequest;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.handler.HandlerMappingIntrospector;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, "ping: cuts inside the framework": {@code POST /flows/endpoint} is served by a servlet of its own behind
 * Spring Security, not by Spring MVC's dispatcher, and Spring Security does not look up MVC's handler mappings for it.
 * What the security chain decides is pinned by {@code FlowEndpointSecurityChainTest} and {@code AdminPathSpellingsTest},
 * the endpoint's answers by {@code FlowEndpointProtocolTest} and {@code MalformedInputFuzzTest}.
 */
class FlowEndpointDispatchTest {

    private static final String INTROSPECTOR_CACHE = HandlerMappingIntrospector.class.getName();

    private final RoutingApiInstance app = RoutingApiInstance.shared();

    @Test
    void theFlowEndpointIsAnsweredWithoutSpringMvc() throws Exception {
        assertThat(app.client().send(WhatsAppFlowClient.payload("ping", null, null)).status()).isEqualTo(200);

        RequestMappingHandlerMapping mvc = app.context().getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        assertThat(mvc.getHandlerMethods().keySet())
                .noneMatch(mapping -> mapping.getPatternValues().contains(FlowEndpointObservation.PATH));
        assertThat(mvc.getHandlerMethods().values())
                .noneMatch(method -> method.getBeanType() == FlowEndpointController.class);
    }

    @Test
    void springSecurityDoesNotLookUpMvcHandlersForTheFlowEndpointOnly() throws Exception {
        Filter security = app.context().getBean("springSecurityFilterChain", Filter.class);

        // the real filter in front of the chains; what reaches the servlet behind it is recorded
        assertThat(attributesBehind(security, "POST", FlowEndpointObservation.PATH)).noneMatch(name -> name.startsWith(INTROSPECTOR_CACHE));
        // every other request keeps the lookup (and so the test can see it)
        assertThat(attributesBehind(security, "GET", "/actuator/health")).anyMatch(name -> name.startsWith(INTROSPECTOR_CACHE));
    }

    private static List<String> attributesBehind(Filter security, String method, String path) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setServletPath(path);
        List<String> seen = new ArrayList<>();
        MockHttpServletResponse response = new MockHttpServletResponse();
        security.doFilter(request, response, (ServletRequest passed, jakarta.servlet.ServletResponse answered) ->
                seen.addAll(Collections.list(passed.getAttributeNames())));
        assertThat(response.getStatus()).as("%s %s let through by Spring Security", method, path).isEqualTo(200);
        assertThat(seen).as("%s %s reached the servlet", method, path).isNotEmpty();
        return seen;
    }
}
