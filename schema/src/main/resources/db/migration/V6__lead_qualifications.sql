-- One row per chat user: where they are in their lead-qualification machine (the seed's schema, extended).
-- Every inbound message locks its user's row (SELECT ... FOR UPDATE), which serializes one user's
-- messages across consumers and instances.
CREATE TABLE lead_qualifications (
    id                   bigserial   PRIMARY KEY,
    -- the user: the business-scoped user_id when Meta sends one, else the phone-number wa_id (the key of
    -- flowgate.inbound); the user_id of the chat's transition events
    wa_id                text        NOT NULL UNIQUE,
    -- where replies go: the phone-number wa_id when known, else the business-scoped user id
    send_to              text        NOT NULL,
    machine_id           text        NOT NULL,
    -- the current conversation; a new one starts on RESTART. Its transitions carry this session id.
    session_id           uuid        NOT NULL,
    session_started_at   timestamptz NOT NULL,
    current_state        text        NOT NULL,
    previous_state       text,
    qualification_score  integer     NOT NULL DEFAULT 0,
    -- the answers collected so far, by the field each state stores to
    lead_data            jsonb       NOT NULL DEFAULT '{}',
    -- invalid answers in the current state
    retries              integer     NOT NULL DEFAULT 0,
    status               text        NOT NULL DEFAULT 'active'
                         CHECK (status IN ('active', 'completed', 'escalated', 'cold')),
    -- the Flow session the user was handed into, while the current state is a Flow state
    flow_session_id      uuid,
    -- WhatsApp's timestamp of the last applied message: an older message is recorded and ignored
    last_message_at      timestamptz,
    -- when the user last wrote (wall clock of processing): the cold sweep measures inactivity from here
    last_interaction     timestamptz NOT NULL DEFAULT now(),
    re_engaged_at        timestamptz,
    cold_at              timestamptz,
    completed_at         timestamptz,
    escalated_at         timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX lead_qualifications_send_to ON lead_qualifications (send_to);
-- the cold sweep: active leads by inactivity
CREATE INDEX lead_qualifications_inactive ON lead_qualifications (last_interaction) WHERE status = 'active';
