#!/bin/sh
# Runs once, when the PostgreSQL container initialises an empty data directory (docker-entrypoint-initdb.d):
# the login Grafana uses. It may only read, and only what grafana-grants.sql grants it once routing-api has
# created the tables (the db-grants service of docker-compose.yml), so it never sees sessions or customers.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v reader="$FLOWGATE_GRAFANA_DB_USER" -v reader_password="$FLOWGATE_GRAFANA_DB_PASSWORD" \
     -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"reader" LOGIN PASSWORD :'reader_password';
ALTER ROLE :"reader" SET default_transaction_read_only = on;
ALTER ROLE :"reader" SET statement_timeout = '10s';
GRANT CONNECT ON DATABASE :"db" TO :"reader";
GRANT USAGE ON SCHEMA public TO :"reader";
SQL
