package io.flowgate.routing.system;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConstructorArgumentValues;
import org.springframework.beans.factory.support.BeanDefinitionBuilder;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

import java.io.IOException;
import java.util.List;


/**
 * Who may call what, decided by Spring Security on the path Spring MVC routes: the admin API
 * ({@code /api/**}) needs the admin bearer token ({@link AdminTokenAuthentication}); Meta's Flow endpoint
 * and the health and metrics endpoints are open; every other request is denied, so a path nobody
 * decided about (a new controller outside {@code /api}, a spelling such as {@code /API/...}) is closed.
 *
 * <p>The matchers are {@link PathPatternRequestMatcher}s: they match the same parsed, decoded,
 * {@code ;}-stripped request path as the dispatcher. Before that, the {@link StrictHttpFirewall} refuses
 * every request whose URL is not in canonical form ({@code ;}, encoded {@code /}, {@code \} or {@code .},
 * {@code //}, {@code .} and {@code ..} segments), answered here as a JSON 400, so a path can never mean
 * one thing to the authorisation and another to the dispatcher. The API is stateless: no session, no
 * cookie, no CSRF token (there is no cookie or browser login a cross-site request could ride on), no
 * login form or basic-auth prompt.
 */
@Configuration(proxyBeanMethods = false)
class AdminSecurity {

    private static final Logger log = LoggerFactory.getLogger(AdminSecurity.class);

    /**
     * {@code POST /flows/endpoint} alone, in a minimal chain of its own ahead of the admin chain: still Spring
     * Security's decision (permitted; the firewall still applies), but without the filters the admin API needs
     * and this path does not (bearer authentication, anonymous authentication, request cache, exception
     * translation, security headers): Meta's endpoint is answered by its own protocol, its signature checked by
     * {@code FlowEndpoint}. Every other spelling and method of the path falls through to the admin chain.
     */
    @Bean
    @Order(1)
    SecurityFilterChain flowEndpointSecurity(HttpSecurity http) throws Exception {
        return stateless(http)
                .securityMatcher(PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/flows/endpoint"))
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .anonymous(AbstractHttpConfigurer::disable)
                .exceptionHandling(AbstractHttpConfigurer::disable)
                .headers(AbstractHttpConfigurer::disable)
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain adminApiSecurity(HttpSecurity http, AdminTokenAuthentication tokens) throws Exception {
        PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
        AuthenticationEntryPoint unauthorized = (request, response, e) -> {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"flowgate-admin\"");
            JsonErrors.write(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized", tokens.closed()
                    ? "the admin API is closed: FLOWGATE_ADMIN_TOKEN is not set" : "missing or wrong bearer token");
        };
        AccessDeniedHandler forbidden = (request, response, e) ->
                JsonErrors.write(response, HttpServletResponse.SC_FORBIDDEN, "forbidden", "this request is not allowed");

        AuthenticationFilter bearer = new AuthenticationFilter(new ProviderManager(tokens), AdminTokenAuthentication::presented);
        bearer.setRequestMatcher(path.matcher("/api/**"));
        bearer.setFailureHandler(new AuthenticationEntryPointFailureHandler(unauthorized));
        bearer.setSuccessHandler((request, response, authentication) -> {
            // authenticated: the request goes on to the authorisation and the controller
        });

        return stateless(http)
                .authorizeHttpRequests(requests -> requests
                        // the container's own error page for a request that was already let in (or refused)
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .requestMatchers(path.matcher(HttpMethod.POST, "/flows/endpoint")).permitAll()
                        .requestMatchers(path.matcher(HttpMethod.GET, "/actuator/health"),
                                path.matcher(HttpMethod.GET, "/actuator/health/**"),
                                path.matcher(HttpMethod.GET, "/actuator/prometheus"),
                                path.matcher(HttpMethod.GET, "/actuator/info")).permitAll()
                        .requestMatchers(path.matcher("/api/**")).hasRole(AdminTokenAuthentication.ROLE)
                        .anyRequest().denyAll())
                .addFilterBefore(bearer, AuthorizationFilter.class)
                .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthorized).accessDeniedHandler(forbidden))
                .build();
    }

    /**
     * No observations by Spring Security at all: with {@code management.observations.enable.spring.security: false}
     * alone its observations are no-ops, but its {@code ObservationFilterChainDecorator} still wraps every filter of
     * every chain and its {@code ObservationAuthorizationManager} every decision, per request (0.9 % of a ping's
     * CPU, docs/profiles/README.md "ping"). With these settings the chains are built without either.
     */
    @Bean
    SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * Spring Security with Spring MVC puts a filter ahead of its {@code FilterChainProxy} that looks up, per request,
     * which of MVC's handler mappings would serve it and caches the answer in a request attribute
     * ({@code HandlerMappingIntrospector.createCacheFilter()}, for {@code MvcRequestMatcher}s and MVC's CORS
     * configuration). Nothing here reads it: the chains match with {@link PathPatternRequestMatcher}s, CORS is not
     * configured, and {@code POST /flows/endpoint} is not served by MVC at all. For that request the lookup (3.4 % of
     * a ping's CPU: docs/benchmarks.md, "ping: cuts inside the framework") is skipped; the chains and the firewall
     * behind it are unchanged, and every other request keeps it. Should a Spring Security version build its filter
     * differently, this leaves it as it is and says so.
     */
    @Bean
    static BeanFactoryPostProcessor noHandlerMappingLookupForTheFlowEndpoint() {
        return factory -> {
            if (!(factory instanceof BeanDefinitionRegistry registry) || !registry.containsBeanDefinition(FILTER_CHAIN)) {
                return;
            }
            ConstructorArgumentValues.ValueHolder filters = registry.getBeanDefinition(FILTER_CHAIN).getConstructorArgumentValues()
                    .getIndexedArgumentValue(0, List.class);
            if (filters != null && filters.getValue() instanceof List<?> list && list.size() == 2
                    && list.get(0) instanceof BeanDefinition cache && cache.getBeanClassName() != null
                    && cache.getBeanClassName().endsWith("HandlerMappingIntrospectorCacheFilterFactoryBean")) {
                @SuppressWarnings("unchecked")
                List<Object> chain = (List<Object>) list;
                chain.set(0, BeanDefinitionBuilder.rootBeanDefinition(ExceptTheFlowEndpoint.class)
                        .addConstructorArgValue(cache).setRole(BeanDefinition.ROLE_INFRASTRUCTURE).getBeanDefinition());
            } else {
                log.warn("Spring Security's filter is not built as expected: the MVC handler lookup stays on POST /flows/endpoint");
            }
        };
    }

    private static final String FILTER_CHAIN = "springSecurityFilterChain";

    /** Runs the filter it wraps for every request but {@code POST /flows/endpoint}. */
    static final class ExceptTheFlowEndpoint implements Filter {

        private final Filter filter;

        ExceptTheFlowEndpoint(Filter filter) {
            this.filter = filter;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
            if (request instanceof HttpServletRequest http && "POST".equals(http.getMethod())
                    && "/flows/endpoint".equals(http.getRequestURI())) {
                chain.doFilter(request, response);
            } else {
                filter.doFilter(request, response, chain);
            }
        }
    }

    /** No session, cookie, request cache, CSRF token, login form, basic-auth prompt or logout: both chains. */
    private static HttpSecurity stateless(HttpSecurity http) throws Exception {
        return http
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .csrf(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable);
    }

    /** The default firewall, stated so that nobody loosens it by accident, and its refusals as JSON. */
    @Bean
    WebSecurityCustomizer firewall() {
        RequestRejectedHandler rejected = (request, response, e) -> {
            log.debug("request refused by the firewall: {}", e.getMessage());
            JsonErrors.write(response, HttpServletResponse.SC_BAD_REQUEST, "request_rejected",
                    "the request URL is not in canonical form (no ';', encoded '/', '\\' or '.', '//', '.' or '..' segments)");
        };
        return web -> web.httpFirewall(new StrictHttpFirewall()).requestRejectedHandler(rejected);
    }
}
