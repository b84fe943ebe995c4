-- Analytics per Flow version (flink-jobs, issue 13): the funnel, time on screen and paths. Upserted with
-- absolute values on the primary key like the other analytics tables. flow_version is the version the
-- session started on (flow_sessions.flow_version); 0 for events without one (sessions from before versions
-- were recorded, chat machines). Column meanings: docs/analytics.md.

-- screen_dropoff split by Flow version: the same counts, one row per (flow, version, cohort hour, screen).
CREATE TABLE screen_dropoff_by_version (
    flow_id       text             NOT NULL,
    flow_version  integer          NOT NULL CHECK (flow_version >= 0),
    cohort_start  timestamptz      NOT NULL,
    screen        text             NOT NULL,
    source        text             NOT NULL DEFAULT 'flow' CHECK (source IN ('flow', 'chat')),
    reached       bigint           NOT NULL DEFAULT 0 CHECK (reached >= 0),
    dropped       bigint           NOT NULL DEFAULT 0 CHECK (dropped >= 0),
    completed     bigint           NOT NULL DEFAULT 0 CHECK (completed >= 0),
    drop_rate     double precision NOT NULL DEFAULT 0,
    updated_at    timestamptz      NOT NULL,
    PRIMARY KEY (flow_id, flow_version, cohort_start, screen)
);

CREATE INDEX screen_dropoff_by_version_cohort ON screen_dropoff_by_version (cohort_start);

-- How long a screen is shown before the session leaves it: from the transition that answered it to the
-- session's next request (moved on), or to the moment it went stale on it (dropped off). Milliseconds,
-- nearest-rank percentiles (within 1 % of the exact value).
CREATE TABLE screen_time (
    flow_id          text             NOT NULL,
    flow_version     integer          NOT NULL CHECK (flow_version >= 0),
    screen           text             NOT NULL,
    views            bigint           NOT NULL CHECK (views >= 0),
    moved_on         bigint           NOT NULL CHECK (moved_on >= 0),
    dropped_off      bigint           NOT NULL CHECK (dropped_off >= 0),
    p50_ms           double precision NOT NULL,   -- over all views, a drop-off counting as stale-after
    p90_ms           double precision NOT NULL,
    p50_moved_on_ms  double precision NOT NULL,   -- over the views left with a request only
    p90_moved_on_ms  double precision NOT NULL,
    max_moved_on_ms  double precision NOT NULL,
    updated_at       timestamptz      NOT NULL,
    PRIMARY KEY (flow_id, flow_version, screen)
);

-- Screen-to-screen transitions: from_screen '' is the start of a session (its first transition).
CREATE TABLE screen_paths (
    flow_id       text        NOT NULL,
    flow_version  integer     NOT NULL CHECK (flow_version >= 0),
    from_screen   text        NOT NULL,
    to_screen     text        NOT NULL,
    action        text        NOT NULL,
    transitions   bigint      NOT NULL CHECK (transitions >= 0),
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (flow_id, flow_version, from_screen, to_screen, action)
);
