-- What the WhatsApp sender (routing-api: whatsapp/OutgoingSender) shares between routing-api instances,
-- so that pacing and rate limits hold however many instances send at once.

-- The Graph error code of the last failed attempt (131047, 131026 ...), for ops and for the chat to react
-- to (e.g. a template after 131047); last_error keeps the text.
ALTER TABLE outgoing_messages ADD COLUMN last_error_code integer;

-- "Is this message its user's oldest queued one?" is asked for every candidate of every claim.
CREATE INDEX outgoing_messages_queued_user ON outgoing_messages (wa_id, message_id) WHERE status = 'queued';
-- The admin listing of failed messages, newest first, without scanning the sent ones.
CREATE INDEX outgoing_messages_failed ON outgoing_messages (message_id) WHERE status = 'failed';

-- Meta's pair rate limit: no message to wa_id before next_send_at (the last send plus the per-user
-- interval). A row whose time has passed means nothing and may be deleted.
CREATE TABLE outgoing_pacing (
    wa_id         text        PRIMARY KEY,
    next_send_at  timestamptz NOT NULL
);

-- The per-number throughput limit as a token bucket: every claim of messages to send locks this row, takes
-- tokens and stores what is left. refilled_at in the future pauses every sender until then (the Cloud API
-- answered a throughput error or refused the access token).
CREATE TABLE outgoing_rate (
    phone_number_id  text             PRIMARY KEY,
    tokens           double precision NOT NULL,
    refilled_at      timestamptz      NOT NULL
);
