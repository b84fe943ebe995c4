-- Routing tables that rules consult (owned by routing-api: routing/). Businesses fill them through the
-- admin API or their own ETL; analytics (flink-jobs) read inventory for hot items.

CREATE TABLE customers (
    wa_id        text PRIMARY KEY,
    tier         text        NOT NULL DEFAULT 'standard',
    balance_due  numeric(14, 2) NOT NULL DEFAULT 0,
    attributes   jsonb       NOT NULL DEFAULT '{}',
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inventory (
    item_id      text PRIMARY KEY,
    name         text        NOT NULL,
    stock        integer     NOT NULL DEFAULT 0 CHECK (stock >= 0),
    price        numeric(14, 2),
    attributes   jsonb       NOT NULL DEFAULT '{}',
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE appointment_slots (
    slot_id      text PRIMARY KEY,
    kind         text        NOT NULL DEFAULT 'standard',
    starts_at    timestamptz NOT NULL,
    capacity     integer     NOT NULL DEFAULT 1 CHECK (capacity >= 0),
    booked       integer     NOT NULL DEFAULT 0 CHECK (booked >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX appointment_slots_kind_start ON appointment_slots (kind, starts_at);
