package io.flowgate.routing.flowendpoint;

/**
 * Told about every answered endpoint request after its last byte was written, off the answer's
 * critical path. Implementations must not block or throw.
 */
interface EndpointListener {

    void answered(EndpointAnswer answer, long latencyMicros);
}
