-- Messages to WhatsApp users (owned by routing-api: whatsapp/). Queued in the transaction of the state
-- change that produced them, sent afterwards by the sender, paced per user, retried with backoff.
CREATE TABLE outgoing_messages (
    message_id   bigserial   PRIMARY KEY,
    wa_id        text        NOT NULL,
    -- the Cloud API message body without messaging_product / recipient_type / to
    payload      jsonb       NOT NULL,
    -- what the message belongs to (e.g. the Flow session a Flow message opens)
    correlation  text,
    status       text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts     integer     NOT NULL DEFAULT 0,
    not_before   timestamptz NOT NULL DEFAULT now(),
    wamid        text UNIQUE,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz
);

CREATE INDEX outgoing_messages_due ON outgoing_messages (not_before, message_id) WHERE status = 'queued';
CREATE INDEX outgoing_messages_user ON outgoing_messages (wa_id, message_id);
