-- Meta's side of a Flow (issue 14): which Flow at Meta each Flowgate Flow is, and what Meta says about it.

-- One row per Flowgate Flow that exists at Meta. Written by the Flow lifecycle commands (create, upload,
-- publish, deprecate); read by the health history to name the Flow of a Meta Flow id.
CREATE TABLE meta_flows (
    flow_id           text PRIMARY KEY,               -- Flowgate's Flow id (flows.flow_id)
    meta_flow_id      text        NOT NULL UNIQUE,    -- Meta's Flow id
    uploaded_revision integer,                        -- flows.revision of the Flow JSON last uploaded to Meta
    meta_status       text,                           -- DRAFT, PUBLISHED, DEPRECATED, BLOCKED, THROTTLED as last known
    validation_errors jsonb       NOT NULL DEFAULT '[]'::jsonb, -- Meta's validation_errors of the last upload
    endpoint_uri      text,                           -- the endpoint_uri set at Meta
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Everything Meta reports about a Flow's endpoint, from both of Meta's channels: the `flows` webhook
-- (source 'webhook': ENDPOINT_LATENCY, ENDPOINT_ERROR_RATE, ENDPOINT_AVAILABILITY, CLIENT_ERROR_RATE,
-- FLOW_STATUS_CHANGE, and any event name Meta adds later, kept as it came) and the Flow metrics API
-- (source 'metrics_api': one row per metric data point). Figures are as Meta reported them.
CREATE TABLE meta_flow_health (
    id            bigserial PRIMARY KEY,
    meta_flow_id  text             NOT NULL,
    flow_id       text,                                -- Flowgate's Flow id when meta_flows knows it
    source        text             NOT NULL CHECK (source IN ('webhook', 'metrics_api')),
    kind          text             NOT NULL,           -- the webhook event, or the metric name
    observed_at   timestamptz      NOT NULL,           -- Meta's time of the signal (a data point's start)
    received_at   timestamptz      NOT NULL DEFAULT now(),
    alert_state   text,                                -- ACTIVATED / DEACTIVATED (webhook alerts)
    p50_ms        double precision,
    p90_ms        double precision,
    error_rate    double precision,                    -- percent, 0..100
    availability  double precision,                    -- percent, 0..100
    requests      bigint,
    threshold     double precision,
    old_status    text,                                -- FLOW_STATUS_CHANGE
    new_status    text,
    metric_value  double precision,                    -- a metrics API data point's value
    granularity   text,                                -- DAY / HOUR / LIFETIME (metrics API)
    payload       jsonb            NOT NULL,           -- what Meta sent for this signal, whole
    dedup_key     text             NOT NULL UNIQUE     -- the same signal twice is stored once
);
CREATE INDEX meta_flow_health_by_flow ON meta_flow_health (meta_flow_id, observed_at);
CREATE INDEX meta_flow_health_by_time ON meta_flow_health (observed_at);
