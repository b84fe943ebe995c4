package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.sessions.FlowSession;

import java.time.Instant;

/**
 * Told about every transition inside the transaction that records it, so that what it writes (the
 * transition event in the outbox) commits or rolls back with the session change itself.
 */
interface TransitionListener {

    void transitioned(FlowSession after, FlowRequest request, StepOutcome outcome, Instant at);
}
