#!/bin/sh
# One etcd member of the Patroni example's consensus store (DCS). The member name is the
# Compose service name (MEMBER; etcd reads ETCD_* variables itself and refuses them next to flags); the cluster is the three services etcd1..etcd3.
set -eu
exec etcd --name "$MEMBER" --data-dir /data/etcd \
  --listen-client-urls http://0.0.0.0:2379 --advertise-client-urls "http://$MEMBER:2379" \
  --listen-peer-urls http://0.0.0.0:2380 --initial-advertise-peer-urls "http://$MEMBER:2380" \
  --initial-cluster etcd1=http://etcd1:2380,etcd2=http://etcd2:2380,etcd3=http://etcd3:2380 \
  --initial-cluster-state new --initial-cluster-token drill-patroni \
  --heartbeat-interval 100 --election-timeout 1000
