#!/bin/sh
# One PostgreSQL 15 node for drill's examples: on first boot, initialise the data directory
# (trust authentication on the drill's private network) and create the table the workload
# writes to; then run the server in the foreground. The data directory is on the node's
# volume, so a killed node restarts from its own WAL (crash recovery).
#   node.sh [extra postgres -c settings...]
set -eu
export PGDATA=/data/pg
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" -U postgres --auth=trust --no-instructions >/dev/null
  printf 'host all all 0.0.0.0/0 trust\n' >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o '-c listen_addresses=' -w start >/dev/null
  psql -q -U postgres -c 'CREATE TABLE drill (id text PRIMARY KEY, v text NOT NULL)'
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c fsync=on -c synchronous_commit=on "$@"
