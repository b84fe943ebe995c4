-- Signed outgoing webhooks (issue 15): lead updates and Flow completions delivered to CRMs.
-- routing-api's webhook consumer turns each committed event into one delivery per matching subscription;
-- its delivery worker sends them in order per (subscription, lead). docs/webhooks.md describes both.

CREATE TABLE webhook_subscriptions (
    subscription_id      bigserial   PRIMARY KEY,
    name                 text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    url                  text        NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    -- the signing secret, AES-GCM encrypted with flowgate.webhooks.secret-key: 12-byte nonce, then ciphertext
    secret_encrypted     bytea       NOT NULL,
    event_types          text[]      NOT NULL,
    machine_id           text,                 -- only lead events of this chat machine (null: all)
    flow_id              text,                 -- only Flow events of this Flow (null: all)
    include_free_text    boolean     NOT NULL DEFAULT false,
    mapping              jsonb,                -- the validated mapping template (null: the default body)
    enabled              boolean     NOT NULL DEFAULT true,
    -- paused by the worker after too many consecutive failures; a probe (or an admin call) resumes it
    paused_at            timestamptz,
    pause_reason         text,
    probe_at             timestamptz,
    consecutive_failures integer     NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    delivery_id      bigserial   PRIMARY KEY,
    subscription_id  bigint      NOT NULL REFERENCES webhook_subscriptions (subscription_id) ON DELETE CASCADE,
    event_id         text        NOT NULL,  -- the webhook-id header: stable across retries
    event_type       text        NOT NULL,
    lead_key         text        NOT NULL,  -- the user: deliveries of one lead go out in delivery_id order
    body             text        NOT NULL,  -- the exact bytes signed and sent (UTF-8)
    occurred_at      timestamptz NOT NULL,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         integer     NOT NULL DEFAULT 0,
    -- when the delivery may be tried next; while an attempt is in flight, the end of its lease
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    retry_started_at timestamptz NOT NULL DEFAULT now(),
    last_http_status integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_lead ON webhook_deliveries (subscription_id, lead_key, delivery_id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (subscription_id, delivery_id) WHERE status = 'dead';
CREATE INDEX webhook_deliveries_user ON webhook_deliveries (lead_key);
