-- Flow versions (issue 13): every upload of a Flow is kept, and a session records the version it started on.

-- The Flow JSON of every revision of a Flow (flows.revision numbers them; flows holds the newest). Written
-- by routing-api in the transaction of the upload; rows are never changed afterwards.
CREATE TABLE flow_versions (
    flow_id       text        NOT NULL REFERENCES flows (flow_id) ON DELETE CASCADE,
    version       integer     NOT NULL CHECK (version >= 1),
    flow_json     jsonb       NOT NULL,
    entry_screen  text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (flow_id, version)
);

-- Flows uploaded before this migration: their current revision is the first one kept (earlier ones were
-- overwritten and are gone).
INSERT INTO flow_versions (flow_id, version, flow_json, entry_screen, created_at)
SELECT flow_id, revision, flow_json, entry_screen, updated_at FROM flows;

-- flows.revision when the session was created; null for sessions created before this migration. Every
-- flow_transition and endpoint_request event of the session carries it as flow_version.
ALTER TABLE flow_sessions ADD COLUMN flow_version integer;
