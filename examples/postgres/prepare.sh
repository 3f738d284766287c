#!/usr/bin/env bash
# Fill this build context with PostgreSQL 15 from Debian, for an image built FROM scratch
# (no registry needed): the Debian packages postgresql-15, postgresql-client-15 and libpq5,
# unpacked here (nothing is installed on the host, no service is started), the shared
# libraries `ldd` lists for every binary and extension, the time zone data, and
# busybox-static for the small shell that initialises the data directory on first boot.
#
#   bash examples/postgres/prepare.sh        # idempotent; re-run after a Debian update
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rootfs="$here/rootfs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pkgs=(postgresql-15 postgresql-client-15 libpq5 busybox-static)
( cd "$work" && { apt-get download "${pkgs[@]}" 2>/dev/null || { apt-get update -qq && apt-get download "${pkgs[@]}"; }; } )
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done
x="$work/x"

rm -rf "$rootfs" "$here/owned"
mkdir -p "$rootfs/usr/lib/postgresql" "$rootfs/usr/share" "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
# Directories the postgres user owns (the Dockerfile copies them with --chown).
mkdir -p "$here/owned/data" "$here/owned/backup" "$here/owned/run/postgresql" "$here/owned/var/run/postgresql"
cp -a "$x/usr/lib/postgresql/15" "$rootfs/usr/lib/postgresql/"
# No JIT: llvmjit pulls in 130 MB of LLVM; without it PostgreSQL simply runs without JIT.
rm -rf "$rootfs"/usr/lib/postgresql/15/lib/llvmjit* "$rootfs"/usr/lib/postgresql/15/lib/bitcode
cp -a "$x/usr/share/postgresql" "$rootfs/usr/share/"
mkdir -p "$rootfs/usr/lib/x86_64-linux-gnu"
cp -a "$x"/usr/lib/x86_64-linux-gnu/libpq.so* "$rootfs/usr/lib/x86_64-linux-gnu/"
cp -a /usr/share/zoneinfo "$rootfs/usr/share/"
cp "$x/bin/busybox" "$rootfs/bin/busybox"
for tool in sh cat sleep printf mkdir chown chmod id ls rm cp env test; do ln -s busybox "$rootfs/bin/$tool"; done

# Shared libraries of every binary and extension module.
libdir="$x/usr/lib/x86_64-linux-gnu"
find "$rootfs/usr/lib/postgresql/15" -type f \( -perm -u+x -o -name '*.so' \) | while read -r f; do
  { LD_LIBRARY_PATH="$libdir" ldd "$f" 2>/dev/null || true; } | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r lib; do
  dest="$lib"
  case "$lib" in "$x"/*) dest="${lib#"$x"}" ;; esac
  if [ -e "$rootfs$dest" ]; then continue; fi
  mkdir -p "$rootfs$(dirname "$dest")"
  cp -L "$lib" "$rootfs$dest"
done

# PostgreSQL refuses to run as root: a postgres user owns the data directory.
printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:PostgreSQL:/data:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\npostgres:x:999:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\npasswd: files\ngroup: files\n' > "$rootfs/etc/nsswitch.conf"

echo "prepare: $("$x/usr/lib/postgresql/15/bin/postgres" --version) -> $rootfs ($(du -sh "$rootfs" | cut -f1))"
