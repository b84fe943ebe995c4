-- Routing experiments, analytics side (issue 13): what the analytics job measures per experiment and
-- variant, written with absolute values at each event-time minute that changed something
-- (docs/experiments.md). Sessions count here once they are finished: completed, or dropped (stale).

CREATE TABLE experiment_results (
    experiment_id   text             NOT NULL,
    variant         text             NOT NULL,
    is_control      boolean          NOT NULL,
    sessions        bigint           NOT NULL,   -- sessions started in the variant
    finished        bigint           NOT NULL,   -- of which completed or dropped: the test's sample size
    completed       bigint           NOT NULL,
    conversions     bigint           NOT NULL,   -- finished sessions that met the primary metric
    conversion_rate double precision NOT NULL,   -- conversions / finished (0 when none finished)
    primary_metric  text             NOT NULL,
    -- treatment minus control, in conversion rate, and its always-valid confidence sequence and p-value
    -- (mixture SPRT); null for the control and before both arms have enough finished sessions
    difference      double precision,
    ci_low          double precision,
    ci_high         double precision,
    p_value         double precision,
    -- collecting, winner, loser, no_difference, stopped_guardrail; control for the control
    decision        text             NOT NULL,
    stopped_by      text,                        -- the guardrail that stopped the variant, if any
    requests        bigint           NOT NULL,   -- endpoint requests of the variant's sessions
    errors          bigint           NOT NULL,
    error_rate      double precision NOT NULL,
    p90_ms          double precision NOT NULL,
    evaluated_at    timestamptz      NOT NULL,   -- the end of the event-time minute evaluated
    PRIMARY KEY (experiment_id, variant)
);

CREATE TABLE experiment_screen_dropoff (
    experiment_id text             NOT NULL,
    variant       text             NOT NULL,
    screen        text             NOT NULL,
    reached       bigint           NOT NULL,   -- finished sessions that reached the screen
    dropped       bigint           NOT NULL,   -- of which dropped there (their last screen when they went stale)
    completed     bigint           NOT NULL,   -- of which completed the Flow
    drop_rate     double precision NOT NULL,
    updated_at    timestamptz      NOT NULL,
    PRIMARY KEY (experiment_id, variant, screen)
);
