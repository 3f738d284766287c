#!/usr/bin/env bash
# Fill this build context with Redis 7 and Redis Sentinel from Debian, for an image built
# FROM scratch (no registry needed): the Debian packages redis-server, redis-sentinel and
# redis-tools (the server, Sentinel and redis-cli are one binary, told apart by its name),
# their libraries liblzf1 and libjemalloc2, and busybox-static for the small shell that
# starts Redis and its Sentinel side by side in each node. Packages are downloaded with
# apt and unpacked here; nothing is installed on the host and no service is started.
#
#   bash examples/redis-sentinel/prepare.sh        # idempotent; re-run after a Debian update
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rootfs="$here/rootfs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pkgs=(redis-server redis-sentinel redis-tools liblzf1 libjemalloc2 busybox-static)
( cd "$work" && { apt-get download "${pkgs[@]}" 2>/dev/null || { apt-get update -qq && apt-get download "${pkgs[@]}"; }; } )
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done
x="$work/x"

rm -rf "$rootfs"
mkdir -p "$rootfs/usr/bin" "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/data" "$rootfs/backup"
chmod 1777 "$rootfs/tmp"
cp "$x/usr/bin/redis-check-rdb" "$x/usr/bin/redis-cli" "$rootfs/usr/bin/"
ln -s redis-check-rdb "$rootfs/usr/bin/redis-server"
ln -s redis-check-rdb "$rootfs/usr/bin/redis-sentinel"
cp "$x/bin/busybox" "$rootfs/bin/busybox"
for tool in sh cat sleep printf head tr; do ln -s busybox "$rootfs/bin/$tool"; done

# Shared libraries: the unpacked ones first, then what ldd finds on the host.
libdir=$(ls -d "$x"/usr/lib/x86_64-linux-gnu 2>/dev/null || true)
for bin in "$x/usr/bin/redis-check-rdb" "$x/usr/bin/redis-cli"; do
  LD_LIBRARY_PATH="$libdir" ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u |
    while read -r lib; do
      dest="$lib"
      case "$lib" in "$x"/*) dest="${lib#"$x"}" ;; esac
      mkdir -p "$rootfs$(dirname "$dest")"
      cp -L "$lib" "$rootfs$dest"
    done
done

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"

echo "prepare: $(LD_LIBRARY_PATH="$libdir" "$x/usr/bin/redis-check-rdb" --version 2>/dev/null | head -1 || echo redis 7) -> $rootfs ($(du -sh "$rootfs" | cut -f1))"
