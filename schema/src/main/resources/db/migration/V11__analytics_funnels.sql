-- Analytics written by flink-jobs (io.flowgate.analytics): funnels and stale sessions.
-- Every row is upserted with absolute values on its primary key, so a replay or a batch recompute
-- rewrites the same rows. Times are event times (UTC). Column meanings: docs/analytics.md.

-- One row per (flow, cohort hour, screen). A session reaches a screen when a transition answers with it
-- (once per session), completes with a completed transition, drops at its last screen when it goes stale.
CREATE TABLE screen_dropoff (
    flow_id       text             NOT NULL,
    cohort_start  timestamptz      NOT NULL,
    screen        text             NOT NULL,
    source        text             NOT NULL DEFAULT 'flow' CHECK (source IN ('flow', 'chat')),
    reached       bigint           NOT NULL DEFAULT 0 CHECK (reached >= 0),
    dropped       bigint           NOT NULL DEFAULT 0 CHECK (dropped >= 0),
    completed     bigint           NOT NULL DEFAULT 0 CHECK (completed >= 0),
    drop_rate     double precision NOT NULL DEFAULT 0,
    updated_at    timestamptz      NOT NULL,
    PRIMARY KEY (flow_id, cohort_start, screen)
);

CREATE INDEX screen_dropoff_cohort ON screen_dropoff (cohort_start);

-- Sessions that saw no transition for stale-after without completing; also published to
-- flowgate.stale-sessions with event_id 'stale:<session_id>'.
CREATE TABLE stale_sessions (
    session_id          text        PRIMARY KEY,
    event_id            text        NOT NULL,
    flow_id             text        NOT NULL,
    user_id             text        NOT NULL,
    source              text        NOT NULL DEFAULT 'flow',
    last_screen         text,
    last_event_at       timestamptz NOT NULL,
    stale_at            timestamptz NOT NULL,
    session_started_at  timestamptz NOT NULL
);

CREATE INDEX stale_sessions_user ON stale_sessions (user_id);
CREATE INDEX stale_sessions_stale_at ON stale_sessions (stale_at);
