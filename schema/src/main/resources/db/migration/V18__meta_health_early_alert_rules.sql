-- Issue 14: default alert rules that fire before Meta's own health alerts would (docs/meta-health.md).
-- Meta alerts on the endpoint's p90 above 1 s and on an error rate above 5 %, each over 30 minutes, and
-- throttles a Flow that stays there. Flowgate measures without the network and TLS time Meta sees, and
-- over shorter windows: a lower threshold over 10 minutes warns ops while there is still time to act.
INSERT INTO latency_alert_rules (screen, percentile, threshold_ms, error_rate_threshold, window_minutes, description)
VALUES ('*', 'p90', 800, NULL, 10, 'Before Meta: endpoint p90 latency above 800 ms over 10 minutes (Meta: 1 s over 30 min)'),
       ('*', NULL, NULL, 0.03, 10, 'Before Meta: endpoint error rate above 3 % over 10 minutes (Meta: 5 % over 30 min)');
