#!/usr/bin/env bash
# Fill this build context with PostgreSQL 15, Patroni 3.0 (with the Python 3.11 it runs on
# and its modules) and etcd 3.4, all from Debian's packages, for one image built FROM scratch
# (no registry needed) that runs both the etcd members and the Patroni-managed PostgreSQL
# nodes of docker-compose.yml. The packages are downloaded with apt and unpacked here;
# nothing is installed on the host, no service is started. busybox-static gives the shell.
#
#   bash examples/postgres-patroni/prepare.sh      # idempotent; re-run after a Debian update
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rootfs="$here/rootfs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pkgs=(
  postgresql-15 postgresql-client-15 libpq5 busybox-static etcd-server etcd-client
  python3.11-minimal libpython3.11-minimal libpython3.11-stdlib python3-minimal python3
  patroni python3-cdiff python3-click python3-colorama python3-dateutil python3-dnspython
  python3-etcd python3-importlib-metadata python3-zipp python3-pkg-resources python3-prettytable
  python3-psutil python3-psycopg2 python3-six python3-urllib3 python3-wcwidth python3-yaml libyaml-0-2
)
( cd "$work" && { apt-get download "${pkgs[@]}" 2>/dev/null || { apt-get update -qq && apt-get download "${pkgs[@]}"; }; } )
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done
x="$work/x"

rm -rf "$rootfs" "$here/owned"
mkdir -p "$rootfs/usr/lib" "$rootfs/usr/share" "$rootfs/usr/bin" "$rootfs/usr/local/bin" "$rootfs/bin" \
  "$rootfs/etc" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
mkdir -p "$here/owned/data" "$here/owned/backup" "$here/owned/run/postgresql" "$here/owned/var/run/postgresql"

# PostgreSQL (no JIT: llvmjit pulls in 130 MB of LLVM)
mkdir -p "$rootfs/usr/lib/postgresql"
cp -a "$x/usr/lib/postgresql/15" "$rootfs/usr/lib/postgresql/"
rm -rf "$rootfs"/usr/lib/postgresql/15/lib/llvmjit* "$rootfs"/usr/lib/postgresql/15/lib/bitcode
cp -a "$x/usr/share/postgresql" "$rootfs/usr/share/"
cp -a /usr/share/zoneinfo "$rootfs/usr/share/"
# Python 3.11, its standard library and the modules Patroni needs
cp -a "$x/usr/bin/python3.11" "$rootfs/usr/bin/"
ln -s python3.11 "$rootfs/usr/bin/python3"
cp -a "$x/usr/lib/python3.11" "$rootfs/usr/lib/"
cp -a "$x/usr/lib/python3" "$rootfs/usr/lib/"
cp -a "$x/usr/bin/patroni" "$x/usr/bin/patronictl" "$rootfs/usr/bin/"
# etcd and its client
cp -a "$x/usr/bin/etcd" "$x/usr/bin/etcdctl" "$rootfs/usr/local/bin/"
# Unpacked shared libraries (libpq, libyaml) and the shell
mkdir -p "$rootfs/usr/lib/x86_64-linux-gnu"
cp -a "$x"/usr/lib/x86_64-linux-gnu/lib* "$rootfs/usr/lib/x86_64-linux-gnu/" 2>/dev/null || true
cp "$x/bin/busybox" "$rootfs/bin/busybox"
for tool in sh cat sleep printf mkdir chmod id ls rm cp env test head tr grep sed cut date hostname; do
  ln -s busybox "$rootfs/bin/$tool"
done

# Shared libraries of every binary, extension module and PostgreSQL module.
libdir="$x/usr/lib/x86_64-linux-gnu"
find "$rootfs/usr" -type f \( -perm -u+x -o -name '*.so' -o -name '*.so.*' \) | while read -r f; do
  { LD_LIBRARY_PATH="$libdir" ldd "$f" 2>/dev/null || true; } | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r lib; do
  dest="$lib"
  case "$lib" in "$x"/*) dest="${lib#"$x"}" ;; esac
  if [ -e "$rootfs$dest" ]; then continue; fi
  mkdir -p "$rootfs$(dirname "$dest")"
  cp -L "$lib" "$rootfs$dest"
done

printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:PostgreSQL:/data:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\npostgres:x:999:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\npasswd: files\ngroup: files\n' > "$rootfs/etc/nsswitch.conf"
printf 'UTC\n' > "$rootfs/etc/timezone"

echo "prepare: $("$x/usr/lib/postgresql/15/bin/postgres" --version), patroni $(dpkg-deb -f "$work"/patroni_*.deb Version), etcd $(dpkg-deb -f "$work"/etcd-server_*.deb Version) -> $rootfs ($(du -sh "$rootfs" | cut -f1))"
