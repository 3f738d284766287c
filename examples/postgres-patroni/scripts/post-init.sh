#!/bin/sh
# Run once by Patroni after it bootstraps the cluster: the table the drill writes to.
set -eu
psql "$1" -q -c 'CREATE TABLE IF NOT EXISTS drill (id text PRIMARY KEY, v text NOT NULL)'
