#!/bin/sh
# One PostgreSQL 15 node for drill's examples: on first boot, initialise the data directory
# (trust authentication on the drill's private network) and create the table the workload
# writes to; then run the server in the foreground. The data directory is on the node's
# volume, so a killed node restarts from its own WAL (crash recovery).
#   node.sh [extra postgres -c settings...]
# Optional environment (point-in-time restore drills, pitr.yaml):
#   PG_ARCHIVE_DIR        archive every finished WAL segment there (archive_mode on), e.g. /backup/wal
#                         on the shared backup volume, where a restore's restore_command finds it
#   PG_BACKUP_ROLE        on first boot, create this login role for pg_basebackup
#   PG_BACKUP_ROLE_ATTRS  its attributes (default REPLICATION; NOREPLICATION makes the classic
#                         under-privileged backup role)
set -eu
export PGDATA=/data/pg
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" -U postgres --auth=trust --no-instructions >/dev/null
  printf 'host all all 0.0.0.0/0 trust\n' >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o '-c listen_addresses=' -w start >/dev/null
  psql -q -U postgres -c 'CREATE TABLE drill (id text PRIMARY KEY, v text NOT NULL)'
  if [ -n "${PG_BACKUP_ROLE:-}" ]; then
    psql -q -U postgres -c "CREATE ROLE \"$PG_BACKUP_ROLE\" LOGIN ${PG_BACKUP_ROLE_ATTRS:-REPLICATION}"
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
if [ -n "${PG_ARCHIVE_DIR:-}" ]; then
  mkdir -p "$PG_ARCHIVE_DIR"
  # Never overwrite a segment already archived (a restored node's new timeline has new names).
  set -- -c archive_mode=on -c "archive_command=test ! -f $PG_ARCHIVE_DIR/%f && cp %p $PG_ARCHIVE_DIR/%f" "$@"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c fsync=on -c synchronous_commit=on "$@"
