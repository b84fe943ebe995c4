-- Flow registry and Flow sessions (owned by routing-api: flows/ and sessions/).

-- A Flow's JSON as uploaded by the business, validated on upload.
CREATE TABLE flows (
    flow_id       text PRIMARY KEY,
    flow_json     jsonb       NOT NULL,
    entry_screen  text        NOT NULL,
    revision      integer     NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per minted flow token. The token itself is never stored: only its SHA-256, so a copy of the
-- database does not hand out live tokens.
CREATE TABLE flow_sessions (
    session_id          uuid PRIMARY KEY,
    token_hash          bytea       NOT NULL UNIQUE,
    wa_id               text        NOT NULL,
    flow_id             text        NOT NULL,
    status              text        NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'completed', 'handover')),
    current_screen      text,
    -- screens answered so far, newest last: [{"screen": "...", "data": {...}}]; BACK pops it
    history             jsonb       NOT NULL DEFAULT '[]',
    -- what the user submitted so far, merged screen by screen
    user_data           jsonb       NOT NULL DEFAULT '{}',
    -- data given when the token was minted (e.g. for the first screen)
    initial_data        jsonb       NOT NULL DEFAULT '{}',
    -- the last request that made a transition and the answer it got: a repeated identical request
    -- (a double tap) gets the same answer without a second transition
    last_request_hash   bytea,
    last_response       jsonb,
    transitions         integer     NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    completed_at        timestamptz
);

CREATE INDEX flow_sessions_wa_id ON flow_sessions (wa_id);
CREATE INDEX flow_sessions_flow_id ON flow_sessions (flow_id);
