package io.flowgate.routing.experiments;

import io.flowgate.routing.rules.RuleEngine;
import io.flowgate.routing.sessions.FlowSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Puts a session that is starting into its user's variant of the Flow's running experiment
 * ({@link Assignment}). Only a running experiment assigns: a paused one assigns no new sessions, while
 * the sessions it already has keep their variant (and its rules) until it is stopped or promoted.
 * Reads the experiment from {@link RuleEngine}'s cache, which a change, a guardrail stop included,
 * drops on every instance within milliseconds.
 */
@Component
public class ExperimentAssigner {

    private static final Logger log = LoggerFactory.getLogger(ExperimentAssigner.class);

    private final RuleEngine rules;

    ExperimentAssigner(RuleEngine rules) {
        this.rules = rules;
    }

    /** The session, with the experiment and variant it is assigned (unchanged when there is no running experiment). */
    public FlowSession assign(FlowSession session) {
        return rules.liveExperiment(session.flowId())
                .flatMap(e -> Assignment.assign(e, session.waId()).map(variant -> {
                    log.debug("session {}: experiment {}, variant {}", session.sessionId(), e.experimentId(), variant);
                    return session.inExperiment(e.experimentId(), variant);
                }))
                .orElse(session);
    }
}
