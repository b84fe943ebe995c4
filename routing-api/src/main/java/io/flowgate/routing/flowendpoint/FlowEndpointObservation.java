package io.flowgate.routing.flowendpoint;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * No {@code http.server.requests} observation for Meta's {@code POST /flows/endpoint}: the endpoint has its own
 * timer, {@code flowgate.endpoint.requests} (by action, outcome and status, from reading the body to the last
 * byte written), and the observation Spring MVC's {@code ServerHttpObservationFilter} opens per request was
 * 2.6 % of the CPU of a ping (docs/profiles/README.md, "ping"). Every other request keeps it.
 */
@Configuration(proxyBeanMethods = false)
class FlowEndpointObservation {

    static final String PATH = "/flows/endpoint";

    @Bean
    ObservationPredicate noHttpObservationOfTheFlowEndpoint() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && "POST".equals(request.getCarrier().getMethod())
                && PATH.equals(request.getCarrier().getRequestURI()));
    }
}
