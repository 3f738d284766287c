#!/bin/sh
# One node of the drill's Redis Sentinel example: Redis and a Sentinel side by side (the
# common three-machine layout). n1 starts as the primary; the others replicate it. Sentinel
# rewrites its own config (the current primary, its epoch) into /data, which survives a
# kill and restart, so a restarted node rejoins with what its Sentinel last knew.
#   node.sh <node name> [extra redis-server args...]
set -eu
name="$1"
shift
if [ ! -f /data/sentinel.conf ]; then
  printf '%s\n' \
    'port 26379' \
    'dir /data' \
    'sentinel resolve-hostnames yes' \
    'sentinel announce-hostnames yes' \
    "sentinel announce-ip $name" \
    'sentinel monitor drill n1 6379 2' \
    'sentinel down-after-milliseconds drill 1000' \
    'sentinel failover-timeout drill 4000' \
    'sentinel parallel-syncs drill 2' > /data/sentinel.conf
fi
redis-sentinel /data/sentinel.conf &
role=""
if [ "$name" != n1 ] && [ ! -f /data/dump.rdb ] && [ ! -f /data/appendonlydir/appendonly.aof.manifest ]; then
  role="--replicaof n1 6379"
fi
# repl-diskless-sync-delay 0: a replica that (re)connects is synced at once. Redis's default
# (5 s, to batch several replicas into one transfer) held every write that waits for a
# replica (WAIT 1) for those 5 s after a failover: the first drill of this example showed it.
# shellcheck disable=SC2086
exec redis-server --port 6379 --dir /data --appendonly yes --appendfsync everysec \
  --repl-diskless-sync-delay 0 --protected-mode no --replica-announce-ip "$name" $role "$@"
