-- Delivery status of each outgoing message, by wamid, as Meta reports it (sent, delivered, read, played,
-- failed). Meta reports out of order and more than once: a status only ever moves forward (status_rank
-- grows), and failed is final.
CREATE TABLE message_statuses (
    wamid        text        PRIMARY KEY,
    -- the recipient (the user id of the status update)
    wa_id        text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('sent', 'delivered', 'read', 'played', 'failed')),
    status_rank  smallint    NOT NULL,
    -- WhatsApp's timestamp of the status that is current
    status_at    timestamptz NOT NULL,
    -- the first error code of a failed status
    error_code   integer,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX message_statuses_user ON message_statuses (wa_id);
CREATE INDEX message_statuses_age ON message_statuses (updated_at);
