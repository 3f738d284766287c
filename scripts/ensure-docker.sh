#!/usr/bin/env bash
# Make sure a Docker engine answers, installing and starting Debian's when none does.
# Why: CI and fresh dev machines have the docker CLI but no engine (see ../shared/ENVIRONMENT.md),
# and drills also need iptables, iproute2 (tc, nsenter's companions) and libfaketime on the host.
set -euo pipefail

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v iptables >/dev/null 2>&1 || need_pkgs+=(iptables)
command -v tc >/dev/null 2>&1 || need_pkgs+=(iproute2)
command -v nsenter >/dev/null 2>&1 || need_pkgs+=(util-linux)
ls /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 >/dev/null 2>&1 || \
  ls /usr/lib/*/faketime/libfaketimeMT.so.1 >/dev/null 2>&1 || need_pkgs+=(libfaketime)

if [ "${#need_pkgs[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-docker: missing ${need_pkgs[*]}; run as root or install them: apt-get install -y ${need_pkgs[*]}" >&2
    exit 3
  fi
  echo "ensure-docker: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "ensure-docker: engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-docker: no Docker engine answers and this user cannot start one; start dockerd (as root) and retry" >&2
  exit 3
fi

echo "ensure-docker: starting dockerd"
mkdir -p /var/log
nohup dockerd >/var/log/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "ensure-docker: engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    exit 0
  fi
  sleep 0.5
done
echo "ensure-docker: dockerd did not answer within 30 s; see /var/log/dockerd.log:" >&2
tail -n 20 /var/log/dockerd.log >&2 || true
exit 3
