-- Routing experiments on chat machines (issue 13): an experiment names either a Flow or a chat machine.
-- A treatment of a machine experiment is an alternative definition of named states of the machine
-- (experiment_variants.states); a lead records the experiment and variant of its conversation.

ALTER TABLE experiments ALTER COLUMN flow_id DROP NOT NULL;
ALTER TABLE experiments ADD COLUMN machine_id text REFERENCES chat_machines (machine_id) ON DELETE CASCADE;
ALTER TABLE experiments ADD CONSTRAINT experiments_flow_or_machine CHECK ((flow_id IS NULL) <> (machine_id IS NULL));
-- at most one running or paused experiment per chat machine: a conversation is in at most one experiment
CREATE UNIQUE INDEX experiments_one_live_per_machine ON experiments (machine_id) WHERE status IN ('running', 'paused');

-- a machine treatment's states, {"STATE_ID": {state definition as in docs/chat.md}, ...}, replacing (or
-- adding to) the machine's states of the same id; '{}' for the control and for Flow experiments
ALTER TABLE experiment_variants ADD COLUMN states jsonb NOT NULL DEFAULT '{}'::jsonb;

-- experiments_changed announces the flow_id; a machine experiment's change announces its machine_id too,
-- so that every instance drops its cached machine
CREATE TRIGGER experiments_machine_changed AFTER INSERT OR UPDATE ON experiments
    FOR EACH ROW WHEN (NEW.machine_id IS NOT NULL) EXECUTE FUNCTION flowgate_notify_change('machine_id');
CREATE TRIGGER experiments_machine_deleted AFTER DELETE ON experiments
    FOR EACH ROW WHEN (OLD.machine_id IS NOT NULL) EXECUTE FUNCTION flowgate_notify_change('machine_id');

-- the experiment and variant the lead's current conversation was assigned when it started (sticky per
-- user: a stable hash); null when it started while the machine had no running experiment
ALTER TABLE lead_qualifications ADD COLUMN experiment_id text;
ALTER TABLE lead_qualifications ADD COLUMN variant text;
