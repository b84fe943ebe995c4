-- Routing experiments (issue 13): a Flow's traffic split between today's rules (the control) and
-- alternative rules for named screens (treatments). routing-api owns the definitions and the
-- assignment; the analytics job reads the definitions and writes the guardrail stops.

CREATE TABLE experiments (
    experiment_id      text        PRIMARY KEY CHECK (experiment_id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    flow_id            text        NOT NULL REFERENCES flows (flow_id) ON DELETE CASCADE,
    description        text        NOT NULL DEFAULT '',
    status             text        NOT NULL DEFAULT 'draft'
                       CHECK (status IN ('draft', 'running', 'paused', 'stopped', 'finished')),
    -- what the experiment is meant to raise: 'completion' (the Flow completes) or 'screen:<SCREEN>'
    -- (the session reaches that screen)
    primary_metric     text        NOT NULL DEFAULT 'completion',
    -- the sequential test's error rate: the chance of declaring a winner when there is no difference
    alpha              double precision NOT NULL DEFAULT 0.05 CHECK (alpha > 0 AND alpha < 0.5),
    -- guardrails: a treatment above these is stopped by the analytics job (null: the defaults of
    -- docs/experiments.md)
    max_p90_latency_ms double precision CHECK (max_p90_latency_ms > 0),
    max_error_rate     double precision CHECK (max_error_rate > 0 AND max_error_rate <= 1),
    winner             text,                 -- the promoted variant, when finished by promotion
    created_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,
    ended_at           timestamptz
);
-- at most one running or paused experiment per Flow: a session is in at most one experiment
CREATE UNIQUE INDEX experiments_one_live_per_flow ON experiments (flow_id) WHERE status IN ('running', 'paused');

CREATE TABLE experiment_variants (
    experiment_id text    NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    variant       text    NOT NULL CHECK (variant ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    is_control    boolean NOT NULL,
    -- share of the experiment's traffic, relative to the other variants' weights
    weight        integer NOT NULL CHECK (weight BETWEEN 0 AND 10000),
    -- a treatment's rules, routing_rules rows as the admin API writes them ({"screen", "action",
    -- "priority", "name", "condition", "next_screen", "data", "handover"}), replacing today's rules for
    -- the (screen, action) pairs they name; the control's is []
    rules         jsonb   NOT NULL DEFAULT '[]'::jsonb,
    PRIMARY KEY (experiment_id, variant)
);
CREATE UNIQUE INDEX experiment_variants_one_control ON experiment_variants (experiment_id) WHERE is_control;

-- A variant the analytics job stopped because it breached a guardrail. routing-api stops assigning a
-- variant as soon as its row appears (announced on flowgate_changes), and the dashboard shows why.
CREATE TABLE experiment_guardrail_stops (
    experiment_id text             NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    variant       text             NOT NULL,
    guardrail     text             NOT NULL,   -- e.g. p90_latency, error_rate, drop_rate:<SCREEN>
    observed      double precision,
    threshold     double precision,
    detail        jsonb            NOT NULL DEFAULT '{}'::jsonb,
    stopped_at    timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (experiment_id, variant)
);

CREATE TRIGGER experiments_changed AFTER INSERT OR UPDATE OR DELETE ON experiments
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('flow_id');
CREATE TRIGGER experiment_variants_changed AFTER INSERT OR UPDATE OR DELETE ON experiment_variants
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('experiment_id');
CREATE TRIGGER experiment_guardrail_stops_changed AFTER INSERT OR UPDATE OR DELETE ON experiment_guardrail_stops
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('experiment_id');

-- the experiment and variant a session was assigned when it started (sticky per user: a stable hash)
ALTER TABLE flow_sessions ADD COLUMN experiment_id text;
ALTER TABLE flow_sessions ADD COLUMN variant text;
