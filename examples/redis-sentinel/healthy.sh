#!/bin/sh
# Health of one node of the Redis Sentinel example, for drill's health probe: Redis answers
# as the primary or as a replica whose link is up, and this node's Sentinel knows the whole
# topology (two replicas, two other Sentinels). Sentinel learns replicas from the primary's
# INFO only every 10 s, and a Sentinel that knows no good replica refuses to fail over
# ("-failover-abort-no-good-slave"), so a drill must not start its fault before this holds.
set -eu
role=$(redis-cli ROLE | head -4 | tr '\n' ' ')
case "$role" in
  master*) ;;
  slave*connected*) ;;
  *) echo "redis: $role"; exit 1 ;;
esac
info=$(redis-cli -p 26379 SENTINEL master drill | tr '\n' ' ')
case "$info" in
  *"num-slaves 2 "*"num-other-sentinels 2 "*) echo ok ;;
  *) echo "sentinel: $info"; exit 1 ;;
esac
