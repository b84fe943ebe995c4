package io.flowgate.ingest.webhook;

import io.flowgate.ingest.system.IngestProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import java.util.concurrent.Semaphore;

/**
 * Bounds the POSTs processed at once, and with them the memory held by bodies (each up to the body
 * limit) and the requests waiting on Kafka. A POST beyond the bound is refused at once rather than
 * queued: Meta retries a 503, whereas a queue only turns an overload into timeouts for everybody.
 * Tomcat's thread pool must be larger than this bound, or requests would queue in Tomcat before
 * reaching it.
 */
@Component
class InFlightLimit {

    private final Semaphore permits;
    private final int max;

    InFlightLimit(IngestProperties properties, MeterRegistry meters) {
        this.max = properties.maxInFlight();
        this.permits = new Semaphore(max);
        Gauge.builder("flowgate.ingest.in.flight", this, InFlightLimit::inFlight)
                .description("POST /webhook requests being processed now")
                .register(meters);
        Gauge.builder("flowgate.ingest.in.flight.max", () -> max)
                .description("The most POST /webhook requests processed at once (flowgate.ingest.max-in-flight)")
                .register(meters);
    }

    /** Takes a place without waiting; false when all are taken. */
    boolean tryEnter() {
        return permits.tryAcquire();
    }

    void leave() {
        permits.release();
    }

    int inFlight() {
        return max - permits.availablePermits();
    }
}
