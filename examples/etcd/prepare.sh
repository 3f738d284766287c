#!/usr/bin/env bash
# Fill this build context with etcd from Debian, for an image built FROM scratch (no
# registry needed). Uses the host's /usr/bin/etcd and /usr/bin/etcdctl when they are
# installed; otherwise downloads the Debian packages etcd-server and etcd-client with
# apt and unpacks them here (nothing is installed on the host, no service is started).
# Then copies the shared libraries `ldd` lists for each binary, so the image runs.
#
#   bash examples/etcd/prepare.sh        # idempotent; re-run after a Debian update
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rootfs="$here/rootfs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

etcd_bin=/usr/bin/etcd
etcdctl_bin=/usr/bin/etcdctl
if [[ ! -x $etcd_bin || ! -x $etcdctl_bin ]]; then
  echo "prepare: etcd not on this host; fetching the Debian packages etcd-server and etcd-client" >&2
  ( cd "$work" && { apt-get download etcd-server etcd-client 2>/dev/null || { apt-get update -qq && apt-get download etcd-server etcd-client; }; } )
  for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done
  etcd_bin="$work/x/usr/bin/etcd"
  etcdctl_bin="$work/x/usr/bin/etcdctl"
fi

rm -rf "$rootfs"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/data" "$rootfs/backup"
chmod 1777 "$rootfs/tmp"
cp "$etcd_bin" "$etcdctl_bin" "$rootfs/usr/local/bin/"

# Shared libraries (glibc and the dynamic loader for Debian's Go builds).
for bin in "$etcd_bin" "$etcdctl_bin"; do
  ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u | while read -r lib; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
done

# Name resolution of the other nodes by container name (Docker's embedded DNS).
printf 'root:x:0:0:root:/root:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"

echo "prepare: $("$etcd_bin" --version | head -1) -> $rootfs ($(du -sh "$rootfs" | cut -f1))"
