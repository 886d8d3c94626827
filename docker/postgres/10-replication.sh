#!/bin/sh
# Lets the read replica of the "scaleout" compose profile stream from this server: a replication
# role and a pg_hba line for it. The postgres image runs this once, when the data volume is created.
set -e
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  -c "create role replicator with replication login password '${REPLICATION_PASSWORD:-replicator}'"
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
