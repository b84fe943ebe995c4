-- What Grafana's read-only role may read: the analytics tables the Flink jobs write and the alert
-- thresholds, nothing else. Run after the migrations (docker-compose.yml: db-grants), as the tables' owner:
--   psql -v reader=flowgate_grafana -f grafana-grants.sql
-- Idempotent: docker compose runs it on every start.
GRANT SELECT ON screen_dropoff, stale_sessions, endpoint_latency, latency_alert_rules, latency_alerts,
                lead_scores, hot_inventory
   TO :"reader";
