package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, "ping: cuts inside the framework": {@code POST /flows/endpoint} is served by a servlet of its own behind
 * Spring Security, not by Spring MVC's dispatcher.
 * What the security chain decides is pinned by {@code FlowEndpointSecurityChainTest} and {@code AdminPathSpellingsTest},
 * the endpoint's answers by {@code FlowEndpointProtocolTest} and {@code MalformedInputFuzzTest}.
 */
class FlowEndpointDispatchTest {

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
}
