#!/bin/sh
# One PostgreSQL node managed by Patroni. The node's name is the Compose service name
# (PATRONI_NAME); PATRONI_SYNC (true / false) chooses synchronous replication, written into
# the bootstrap configuration (Patroni reads bootstrap.dcs from its file only).
set -eu
sed -e "s/@SYNC@/${PATRONI_SYNC:-true}/" /usr/local/bin/patroni.yml > /tmp/patroni.yml
export PATRONI_RESTAPI_CONNECT_ADDRESS="$PATRONI_NAME:8008"
export PATRONI_POSTGRESQL_CONNECT_ADDRESS="$PATRONI_NAME:5432"
exec patroni /tmp/patroni.yml
