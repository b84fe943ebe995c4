-- Lead-qualification chat machines (owned by routing-api: chat/). A machine is data, not code: its JSON
-- definition (states, questions, validation, scoring, CEL transitions) is validated when it is uploaded
-- (PUT /api/chat-machines/{id}) and stored here. Format: docs/chat.md.
CREATE TABLE chat_machines (
    machine_id   text PRIMARY KEY,
    -- json, not jsonb: kept as uploaded, since the order of a question's options is the order they are shown in
    definition   json        NOT NULL,
    revision     integer     NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- every instance caches compiled machines: announce changes like the other cached tables (see V4)
CREATE TRIGGER chat_machines_changed AFTER INSERT OR UPDATE OR DELETE ON chat_machines
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('machine_id');
