-- What the chat consumer has processed, keyed by the update's event id (the wamid of an inbound message,
-- the event_id of a stale-session event). The insert is part of the processing transaction, so a
-- redelivered update finds its row and changes nothing; the outcome says what became of it.
CREATE TABLE processed_messages (
    event_id      text        PRIMARY KEY,
    wa_id         text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('message', 'stale_session')),
    -- WhatsApp's timestamp of the message (the stale-session event's time)
    event_time    timestamptz NOT NULL,
    -- what became of it (docs/chat.md): answered, retried, escalated, restarted, ...; 'stale' for a
    -- message older than the last one applied to its user, which is recorded and not applied
    outcome       text        NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX processed_messages_user ON processed_messages (wa_id);
-- pruning after the retention (Meta redelivers for at most 7 days)
CREATE INDEX processed_messages_age ON processed_messages (processed_at);
