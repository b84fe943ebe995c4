package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import org.junit.jupiter.api.Test;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.web.servlet.DispatcherServlet;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /flows/endpoint} is measured by its own timer only (issue 12: the {@code http.server.requests}
 * observation was a per-request cost on the hot path); every other request keeps {@code http.server.requests}.
 * And no request, this one included, publishes Spring's {@code ServletRequestHandledEvent}.
 */
class FlowEndpointObservationTest {

    private final RoutingApiInstance app = RoutingApiInstance.shared();

    @Test
    void theFlowEndpointHasItsOwnTimerAndNoHttpServerRequestsSeries() throws Exception {
        assertThat(app.client().send(WhatsAppFlowClient.payload("ping", null, null)).status()).isEqualTo(200);
        assertThat(get("/actuator/health").statusCode()).isEqualTo(200);

        String scrape = get("/actuator/prometheus").body();
        assertThat(scrape).containsPattern("(?m)^flowgate_endpoint_requests_seconds_count\\{[^}]*action=\"ping\"");
        assertThat(scrape).containsPattern("(?m)^http_server_requests_seconds_count\\{[^}]*uri=\"/actuator/health\"");
        assertThat(scrape).doesNotContainPattern("(?m)^http_server_requests_seconds_count\\{[^}]*uri=\"/flows/endpoint\"");
    }

    /** Issue 12: an application event per request that nothing listens to was per-request work on every path. */
    @Test
    void noApplicationEventIsPublishedPerRequest() {
        DispatcherServlet dispatcher = app.context().getBean(DispatcherServlet.class);
        assertThat(ReflectionTestUtils.getField(dispatcher, "publishEvents")).isEqualTo(false);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(app.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
