#!/usr/bin/env bash
# Fill this build context with nats-server from Debian (package nats-server 2.9), for an
# image built FROM scratch (no registry needed): the binary and the libraries `ldd` lists.
# The package is downloaded with apt and unpacked here; nothing is installed on the host.
#
#   bash examples/nats/prepare.sh        # idempotent; re-run after a Debian update
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rootfs="$here/rootfs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

( cd "$work" && { apt-get download nats-server 2>/dev/null || { apt-get update -qq && apt-get download nats-server; }; } )
dpkg-deb -x "$work"/nats-server_*.deb "$work/x"
bin="$work/x/usr/sbin/nats-server"

rm -rf "$rootfs"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/data"
chmod 1777 "$rootfs/tmp"
cp "$bin" "$rootfs/usr/local/bin/"
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u | while read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"

echo "prepare: nats-server $("$bin" --version) -> $rootfs ($(du -sh "$rootfs" | cut -f1))"
