-- Routing tables written back by flink-jobs and read by routing rules (CEL): lead scores and hot items.
-- Column meanings and the lead-score model: docs/analytics.md.

CREATE TABLE lead_scores (
    wa_id               text        PRIMARY KEY,
    score               integer     NOT NULL CHECK (score BETWEEN 0 AND 100),
    tier                text        NOT NULL CHECK (tier IN ('hot', 'warm', 'cold')),
    -- the model's contributions, e.g. ["budget 12000 >= 10000 (+30)", "completed 1 session(s) (+20)"]
    reasons             jsonb       NOT NULL DEFAULT '[]',
    sessions            integer     NOT NULL DEFAULT 0,
    completed_sessions  integer     NOT NULL DEFAULT 0,
    stale_sessions      integer     NOT NULL DEFAULT 0,
    updated_at          timestamptz NOT NULL
);

CREATE INDEX lead_scores_tier ON lead_scores (tier, score DESC);

CREATE TABLE hot_inventory (
    item_id       text        PRIMARY KEY,
    demand        bigint      NOT NULL CHECK (demand >= 0),
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    stock         integer,
    hot           boolean     NOT NULL DEFAULT false,
    stockout_at   timestamptz,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX hot_inventory_hot ON hot_inventory (hot) WHERE hot;
