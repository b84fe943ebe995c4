package io.flowgate.routing.flowendpoint;

import io.flowgate.events.EndpointRequest;
import io.flowgate.meta.MetaSignature;
import io.flowgate.routing.system.BoundedBody;
import io.flowgate.routing.system.DatabaseOutage;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /flows/endpoint}: Meta's Flow data endpoint. Reads the raw body within the size limit,
 * sheds load with a fast 503 when too many requests are in flight (rather than letting them queue
 * towards Meta's 10 s timeout), and measures each request from reading its body to the last byte
 * written. A database that cannot be reached is a 503 with {@code Retry-After} too ({@link DatabaseOutage}).
 * The protocol itself is {@link FlowEndpoint}. Served by {@link FlowEndpointServlet}, not Spring MVC.
 */
@Component
class FlowEndpointController {

    private static final Logger log = LoggerFactory.getLogger(FlowEndpointController.class);

    private final FlowEndpoint endpoint;
    private final FlowEndpointProperties properties;
    private final List<EndpointListener> listeners;
    private final MeterRegistry meters;
    private final Semaphore inFlight;
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    FlowEndpointController(FlowEndpoint endpoint, FlowEndpointProperties properties, ObjectProvider<EndpointListener> listeners,
                           MeterRegistry meters, ServerProperties server) {
        int httpThreads = server.getTomcat().getThreads().getMax();
        if (httpThreads < properties.maxInFlight() + FlowEndpointProperties.HTTP_THREADS_HEADROOM) {
            throw new IllegalArgumentException("FLOWGATE_HTTP_THREADS (server.tomcat.threads.max) is " + httpThreads
                    + " but must be at least FLOWGATE_ENDPOINT_MAX_IN_FLIGHT (" + properties.maxInFlight() + ") + "
                    + FlowEndpointProperties.HTTP_THREADS_HEADROOM + ", or requests beyond the in-flight limit would queue "
                    + "in Tomcat instead of being answered 503 at once");
        }
        this.endpoint = endpoint;
        this.properties = properties;
        this.listeners = listeners.orderedStream().toList();
        this.meters = meters;
        this.inFlight = new Semaphore(properties.maxInFlight());
        Gauge.builder("flowgate.endpoint.in.flight", inFlight, permits -> properties.maxInFlight() - permits.availablePermits())
                .description("Flow endpoint requests being processed now; at flowgate.endpoint.max-in-flight more are answered 503")
                .register(meters);
    }

    /** Answers one {@code POST /flows/endpoint} (called by {@link FlowEndpointServlet}). */
    void post(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long started = System.nanoTime();
        EndpointAnswer answer;
        if (!inFlight.tryAcquire()) {
            answer = EndpointAnswer.empty(503, EndpointRequest.OUTCOME_OVERLOADED);
        } else {
            try {
                answer = process(request);
            } finally {
                inFlight.release();
            }
        }
        write(response, answer);
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started);
        timer(metricAction(answer.action()), answer.outcome(), answer.status()).record(micros, TimeUnit.MICROSECONDS);
        for (EndpointListener listener : listeners) {
            listener.answered(answer, micros);
        }
    }

    private EndpointAnswer process(HttpServletRequest request) throws IOException {
        byte[] body = BoundedBody.read(request, properties.maxBodyBytes());
        if (body == null) {
            return EndpointAnswer.empty(413, EndpointRequest.OUTCOME_TOO_LARGE);
        }
        try {
            return endpoint.handle(body, request.getHeader(MetaSignature.HEADER));
        } catch (RuntimeException e) {
            if (DatabaseOutage.isOutage(e)) {
                DatabaseOutage.report("the Flow endpoint", e);
                return EndpointAnswer.empty(503, EndpointRequest.OUTCOME_DATABASE_UNAVAILABLE);
            }
            if (e instanceof TransientDataAccessException) {
                // a deadlock or serialization conflict (contention, as under load): worth a retry, and no outage
                log.info("Flow endpoint answered 503: {}", e.getClass().getSimpleName());
                return EndpointAnswer.empty(503, EndpointRequest.OUTCOME_OVERLOADED);
            }
            String incident = UUID.randomUUID().toString();
            log.error("Flow endpoint failed unexpectedly, incident {}", incident, DatabaseOutage.forLog(e));
            return EndpointAnswer.empty(500, EndpointRequest.OUTCOME_INTERNAL_ERROR);
        }
    }

    private static void write(HttpServletResponse response, EndpointAnswer answer) throws IOException {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        response.setStatus(answer.status());
        response.setContentType(answer.contentType());
        response.setContentLength(bytes.length);
        if (answer.status() == 503) {
            response.setHeader("Retry-After", "1");
        }
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }

    /** The request timer of these tags, registered on first use and then taken from the map (no per-request builder). */
    private Timer timer(String action, String outcome, int status) {
        return timers.computeIfAbsent(new TimerKey(action, outcome, status), key -> Timer.builder("flowgate.endpoint.requests")
                .description("Flow endpoint requests, from reading the body to the last byte written")
                .tag("action", key.action())
                .tag("outcome", key.outcome())
                .tag("status", Integer.toString(key.status()))
                .register(meters));
    }

    /** The tags of one request timer; bounded: actions by {@link #metricAction}, outcomes and statuses by the code. */
    private record TimerKey(String action, String outcome, int status) {
    }

    /** Bounded tag values: an attacker's made-up actions must not create unbounded metric series. */
    private static String metricAction(String action) {
        return switch (action == null ? "unknown" : action) {
            case "ping", "INIT", "BACK", "data_exchange", "navigate" -> action;
            default -> "other";
        };
    }
}
