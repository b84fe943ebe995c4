-- routing-api caches lead_scores and hot_inventory rows for its rules (RoutingTables) and drops an entry
-- when channel flowgate_changes announces "table:key" (function flowgate_notify_change, V4). flink-jobs
-- rewrites these rows as often as every watermark, so only changes a routing rule can see are announced.

CREATE TRIGGER lead_scores_changed AFTER INSERT OR DELETE ON lead_scores
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('wa_id');
CREATE TRIGGER lead_scores_rescored AFTER UPDATE ON lead_scores
    FOR EACH ROW WHEN (OLD.score IS DISTINCT FROM NEW.score OR OLD.tier IS DISTINCT FROM NEW.tier)
    EXECUTE FUNCTION flowgate_notify_change('wa_id');

CREATE TRIGGER hot_inventory_changed AFTER INSERT OR DELETE ON hot_inventory
    FOR EACH ROW EXECUTE FUNCTION flowgate_notify_change('item_id');
CREATE TRIGGER hot_inventory_moved AFTER UPDATE ON hot_inventory
    FOR EACH ROW WHEN (OLD.hot IS DISTINCT FROM NEW.hot OR OLD.demand IS DISTINCT FROM NEW.demand
                       OR OLD.stock IS DISTINCT FROM NEW.stock OR OLD.stockout_at IS DISTINCT FROM NEW.stockout_at)
    EXECUTE FUNCTION flowgate_notify_change('item_id');
