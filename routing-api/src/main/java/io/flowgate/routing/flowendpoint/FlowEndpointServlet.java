package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.system.UnexpectedFailure;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

import java.io.IOException;

/**
 * {@code POST /flows/endpoint} by a servlet of its own, mapped to that exact path, instead of through Spring MVC's
 * {@code DispatcherServlet} (whose handler lookup, argument resolution and return-value handling were 3.5 % of a
 * ping's CPU: docs/benchmarks.md, "ping: cuts inside the framework"). It sits behind the same filters as every other
 * request: Spring Security's {@code FilterChainProxy} with its firewall still decides whether the request gets here
 * ({@code AdminSecurity}), and only {@code POST} of this exact path is let through to it. What MVC's exception
 * handling answered for a failure that escapes the controller, this answers alike ({@link UnexpectedFailure}).
 */
@Configuration(proxyBeanMethods = false)
class FlowEndpointServlet {

    @Bean
    ServletRegistrationBean<HttpServlet> flowEndpointServletRegistration(FlowEndpointController controller) {
        ServletRegistrationBean<HttpServlet> registration = new ServletRegistrationBean<>(new Servlet(controller),
                FlowEndpointObservation.PATH);
        registration.setName("flowEndpoint");
        registration.setLoadOnStartup(1);
        return registration;
    }

    /** The servlet: {@link FlowEndpointController#post} for POST, the API's JSON 405 for anything else. */
    static final class Servlet extends HttpServlet {

        private final transient FlowEndpointController controller;

        Servlet(FlowEndpointController controller) {
            this.controller = controller;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            try {
                if ("POST".equals(request.getMethod())) {
                    controller.post(request, response);
                } else {
                    // Spring Security denies every other method of this path before it gets here; as MVC answered it
                    new UnexpectedFailure(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                            request.getMethod() + " is not supported here").write(response);
                }
            } catch (IOException | RuntimeException e) {
                UnexpectedFailure.of(e, "the Flow endpoint").write(response);
            }
        }
    }
}
