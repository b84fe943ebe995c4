-- The transactional outbox (owned by routing-api: outbox/). A business change and the event that
-- describes it are written in one transaction; the relay publishes committed rows to Kafka in seq order
-- and deletes them in the transaction that selected them, so this table holds only what is not yet
-- published (plus parked rows, below).

CREATE TABLE outbox (
    event_id     text        PRIMARY KEY,
    -- creation order: the relay publishes in this order, so one key's events (written one after the
    -- other under the session's row lock) reach Kafka in the order they were committed
    seq          bigint      GENERATED ALWAYS AS IDENTITY,
    topic        text        NOT NULL,
    record_key   text,
    -- json, not jsonb: the event is published byte for byte as it was written
    payload      json        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- set when Kafka refused this record for good (too large, invalid): the relay skips it so it cannot
    -- block the events behind it; an operator fixes the cause and sets parked_at back to NULL
    parked_at    timestamptz,
    park_reason  text
);

-- the relay's query: WHERE parked_at IS NULL ORDER BY seq LIMIT n
CREATE UNIQUE INDEX outbox_pending ON outbox (seq) WHERE parked_at IS NULL;

-- every published row is deleted at once: vacuum the dead rows early so the relay's index scan stays short
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);
