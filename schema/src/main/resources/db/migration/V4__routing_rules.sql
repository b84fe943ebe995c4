-- Routing rules (owned by routing-api: routing/): per Flow, screen and action, ordered by priority;
-- the first rule whose CEL condition holds decides the next screen and the data it is shown with.
CREATE TABLE routing_rules (
    rule_id      bigserial   PRIMARY KEY,
    flow_id      text        NOT NULL REFERENCES flows (flow_id) ON DELETE CASCADE,
    -- the screen the request comes from; '' for INIT (the Flow is opening)
    screen       text        NOT NULL,
    action       text        NOT NULL CHECK (action IN ('INIT', 'data_exchange')),
    priority     integer     NOT NULL DEFAULT 100,
    name         text        NOT NULL DEFAULT '',
    -- CEL over data, session, customer, lead and the functions item(), items(), slots()
    condition    text        NOT NULL DEFAULT 'true',
    -- a screen of the Flow allowed from `screen` by its routing_model, or SUCCESS
    next_screen  text        NOT NULL,
    -- field name -> CEL expression giving the field's value on the next screen
    data         jsonb       NOT NULL DEFAULT '{}',
    -- routing here hands the session to a live agent
    handover     boolean     NOT NULL DEFAULT false,
    enabled      boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX routing_rules_lookup ON routing_rules (flow_id, screen, action, priority, rule_id);

ALTER TABLE flow_sessions ADD COLUMN handover_at timestamptz;

-- Every change to what the hot path caches is announced on channel flowgate_changes as
-- "table:key", so that every routing-api instance drops exactly that entry within milliseconds.
CREATE FUNCTION flowgate_notify_change() RETURNS trigger AS $$
DECLARE
    k text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        k := to_jsonb(OLD) ->> TG_ARGV[0];
    ELSE
        k := to_jsonb(NEW) ->> TG_ARGV[0];
    END IF;
    PERFORM pg_notify('flowgate_changes', TG_TABLE_NAME || ':' || coalesce(k, ''));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER flows_changed AFTER INSERT OR UPDATE OR DELETE ON flows
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('flow_id');
CREATE TRIGGER routing_rules_changed AFTER INSERT OR UPDATE OR DELETE ON routing_rules
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('flow_id');
CREATE TRIGGER customers_changed AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('wa_id');
CREATE TRIGGER inventory_changed AFTER INSERT OR UPDATE OR DELETE ON inventory
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('item_id');
CREATE TRIGGER appointment_slots_changed AFTER INSERT OR UPDATE OR DELETE ON appointment_slots
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('kind');
