#!/usr/bin/env bash
# PostgreSQL's own floor for a Flow transition on this machine (issue 12), measured with pgbench:
# a throw-away PostgreSQL 15 server with the test servers' settings (fsync, synchronous_commit and
# full_page_writes off), the flow_sessions and outbox tables as the migrations make them, and three
# transactions, each run by pgbench for SECONDS with 16 clients over TCP in prepared mode:
#   roundtrip   SELECT 1                                     (one round trip, autocommit)
#   commit      BEGIN; SELECT 1; COMMIT                      (an empty transaction)
#   transition  what routing-api does for a transition today: BEGIN; the session row locked by token
#               hash; the customer and lead score in one query; the session update and its outbox row in one
#               statement (WITH … UPDATE … INSERT); COMMIT. The relay's later delete of the outbox row (batched,
#               10–16 rows a transaction) is left out: this is a floor, what PostgreSQL costs at the least.
# For each: transactions/s and the CPU milliseconds per transaction of all PostgreSQL processes
# (/proc/<pid>/stat of the postmaster, its reaped children and its live children), and pgbench's own CPU.
# Usage: docs/profiles/pg-floor.sh [SECONDS]   (needs Debian's postgresql-15; runs as root or postgres)
set -euo pipefail
SECONDS_PER_RUN=${1:-15}
BIN=/usr/lib/postgresql/15/bin
PORT=55439
DIR=$(mktemp -d /tmp/pg-floor.XXXX)
RUNAS=()
if [ "$(id -u)" = 0 ]; then chown -R postgres "$DIR"; RUNAS=(runuser -u postgres --); fi
"${RUNAS[@]}" $BIN/initdb -D "$DIR/data" -U postgres -A trust >/dev/null
"${RUNAS[@]}" $BIN/pg_ctl -D "$DIR/data" -l "$DIR/log" -w -o "-p $PORT -c fsync=off -c synchronous_commit=off \
  -c full_page_writes=off -c shared_buffers=128MB -c max_connections=100 -k $DIR" start >/dev/null
trap '"${RUNAS[@]}" $BIN/pg_ctl -D "$DIR/data" -m fast stop >/dev/null; rm -rf "$DIR"' EXIT
PSQL=(psql -h 127.0.0.1 -p $PORT -U postgres -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" <<'SQL'
CREATE TABLE flow_sessions (
    session_id uuid PRIMARY KEY, token_hash bytea NOT NULL UNIQUE, wa_id text NOT NULL, flow_id text NOT NULL,
    status text NOT NULL DEFAULT 'active', current_screen text, history jsonb NOT NULL DEFAULT '[]',
    user_data jsonb NOT NULL DEFAULT '{}', initial_data jsonb NOT NULL DEFAULT '{}', last_request_hash bytea,
    last_response jsonb, transitions integer NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL, completed_at timestamptz,
    handover_at timestamptz, flow_version integer, experiment_id text, variant text);
CREATE INDEX flow_sessions_wa_id ON flow_sessions (wa_id);
CREATE TABLE customers (wa_id text PRIMARY KEY, tier text, balance_due numeric, attributes jsonb NOT NULL DEFAULT '{}');
CREATE TABLE lead_scores (wa_id text PRIMARY KEY, score integer NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE outbox (event_id text PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY, topic text NOT NULL,
    record_key text, payload json NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), parked_at timestamptz);
CREATE INDEX outbox_seq ON outbox (seq) WHERE parked_at IS NULL;
INSERT INTO flow_sessions (session_id, token_hash, wa_id, flow_id, current_screen, history, expires_at)
SELECT gen_random_uuid(), sha256(i::text::bytea), '1555' || (1000000 + i), 'device_repair', 'WELCOME',
       '[{"screen":"WELCOME","data":{}}]', now() + interval '1 day'
FROM generate_series(1, 200000) i;
VACUUM ANALYZE;
SQL
cat > "$DIR/roundtrip.sql" <<'SQL'
SELECT 1;
SQL
cat > "$DIR/commit.sql" <<'SQL'
BEGIN;
SELECT 1;
COMMIT;
SQL
# the answer, history and event are about the sizes routing-api writes for the example's first screen
cat > "$DIR/transition.sql" <<'SQL'
\set i random(1, 200000)
BEGIN;
SELECT session_id, wa_id, flow_id, status, current_screen, history::text, user_data::text, initial_data::text,
       last_request_hash, last_response::text, transitions, created_at, updated_at, expires_at, handover_at,
       flow_version, experiment_id, variant
  FROM flow_sessions WHERE token_hash = sha256(:i::text::bytea) FOR UPDATE;
SELECT (SELECT to_jsonb(c)::text FROM customers c WHERE c.wa_id = '1555' || (1000000 + :i)),
       (SELECT to_jsonb(l)::text FROM lead_scores l WHERE l.wa_id = '1555' || (1000000 + :i));
WITH change AS (
  UPDATE flow_sessions SET status = 'active', current_screen = 'DETAILS',
      history = CAST('[{"screen":"WELCOME","data":{}},{"screen":"DETAILS","data":{"slots":[{"id":"2026-12-08T09:00","title":"Tue 8 Dec 09:00"},{"id":"2026-12-08T10:00","title":"Tue 8 Dec 10:00"},{"id":"2026-12-08T11:00","title":"Tue 8 Dec 11:00"}],"desk":"standard"}}]' AS jsonb),
      user_data = CAST('{"item_id":"pixel-8-battery","budget":"420"}' AS jsonb), last_request_hash = sha256(:i::text::bytea || 'r'),
      last_response = CAST('{"screen":"DETAILS","data":{"slots":[{"id":"2026-12-08T09:00","title":"Tue 8 Dec 09:00"},{"id":"2026-12-08T10:00","title":"Tue 8 Dec 10:00"},{"id":"2026-12-08T11:00","title":"Tue 8 Dec 11:00"}],"desk":"standard"}}' AS jsonb),
      transitions = transitions + 1, updated_at = now(), handover_at = NULL,
      completed_at = NULL
  WHERE token_hash = sha256(:i::text::bytea) RETURNING 1)
INSERT INTO outbox (event_id, topic, record_key, payload)
SELECT gen_random_uuid()::text, 'flowgate.transitions', :i::text,
       CAST('{"type":"flow_transition","event_id":"00000000-0000-0000-0000-000000000000","event_time":"2026-12-06T23:00:00.000Z","session_id":"00000000-0000-0000-0000-000000000000","wa_id":"15551234567","flow_id":"device_repair","from_screen":"WELCOME","to_screen":"DETAILS","action":"data_exchange","completed": false, "handover": false, "rule_id": 3, "flow_version": 1,"data":{"item_id":"pixel-8-battery","budget":"420"}}' AS json)
WHERE EXISTS (SELECT FROM change);
COMMIT;
SQL
postmaster=$(head -1 "$DIR/data/postmaster.pid")
pg_ticks() {  # postmaster (self + reaped children) + live children, in clock ticks
  local t; t=$(awk '{print $14+$15+$16+$17}' "/proc/$postmaster/stat")
  for p in $(pgrep -P "$postmaster"); do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
hz=$(getconf CLK_TCK)
echo "| transaction | transactions/s | PostgreSQL CPU per transaction | pgbench CPU per transaction |"
echo "|---|---|---|---|"
for script in roundtrip commit transition; do
  before=$(pg_ticks)
  out=$( { /usr/bin/time -f "%U %S" pgbench -h 127.0.0.1 -p $PORT -U postgres -n -M prepared -c 16 -j 2 -T "$SECONDS_PER_RUN" \
           -f "$DIR/$script.sql" postgres; } 2>&1 ) || { echo "$out"; exit 1; }
  sleep 2  # the clients' backends exit and are reaped into the postmaster's children time
  after=$(pg_ticks)
  tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  n=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
  bench=$(echo "$out" | tail -1 | awk '{print $1+$2}')
  awk -v s="$script" -v tps="$tps" -v n="$n" -v d=$((after - before)) -v hz="$hz" -v b="$bench" \
    'BEGIN { printf "| %s | %.0f/s | %.3f ms | %.3f ms |\n", s, tps, d * 1000 / hz / n, b * 1000 / n }'
done
