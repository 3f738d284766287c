#!/usr/bin/env bash
# Build the drill container image offline, for CI runners without Node (docs/install.md).
#
# Like the graph-agent image (src/targets/graph-agent/image.ts) it is FROM scratch: no base
# image, no container registry. The root file system is assembled from this host:
#   - drill itself, installed from its npm package (`npm pack` here, or --tarball) with
#     `npm install -g` into /usr/local: dist, bin, the scenario library and the production
#     dependencies only (the npm registry serves those);
#   - the host's node binary at /usr/bin/node;
#   - the host tools faults use: iptables (xtables-nft-multi or -legacy-multi, its links and
#     modules), tc (and its netem distribution tables), ip, nsenter, unshare, libfaketime;
#     sh (dash), bash and ldd, because drill builds the graph-agent image from inside the
#     container the same way (node + the libraries ldd lists);
#   - every shared library `ldd` lists for those binaries, at the same paths.
# Not included: losetup / mkfs.ext4 / mount (disk-full faults); `drill doctor` in the
# image says so.
#
# Usage: scripts/build-drill-image.sh [--tarball drill-X.tgz] [--tag drill:X]
# Prints the image's tag, size and build time on its last line.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
version=$(node -p "require('$repo/package.json').version")
tag="drill:$version"
tarball=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tarball) tarball="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build-drill-image: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
start=$(date +%s%N)
work=$(mktemp -d /tmp/drill-image-XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"

say() { echo "build-drill-image: $*" >&2; }

if [ -z "$tarball" ]; then
  say "npm pack (prepack builds drill)"
  name=$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -1)
  tarball="$work/$name"
fi

say "npm install -g $(basename "$tarball") into /usr/local"
install_start=$(date +%s%N)
npm install -g --prefix "$root/usr/local" --omit=dev --no-audit --no-fund --loglevel=error "$tarball" >&2
install_s="$(( ($(date +%s%N) - install_start) / 1000000000 )) s"

# copy, copy_libs, tool, copy_iptables
. "$repo/scripts/lib/rootfs.sh"

say "node runtime and host tools"
tool node /usr/bin/node
tool tc /usr/sbin/tc
tool ip /usr/sbin/ip
tool nsenter /usr/bin/nsenter
tool unshare /usr/bin/unshare
tool dash /bin/sh
tool bash /bin/bash
tool env /usr/bin/env
copy "$(command -v ldd)" /usr/bin/ldd

copy_iptables
for dir in /usr/lib/*-linux-gnu/tc /usr/lib/tc; do
  [ -d "$dir" ] && for f in "$dir"/*; do copy "$f"; done
done

# libfaketime at the path drill looks for it (clock-skew faults; baked into graph-agent).
for ft in /usr/lib/*-linux-gnu/faketime/libfaketimeMT.so.1; do
  [ -e "$ft" ] || { say "no libfaketime on this host: clock-skew will be unavailable in the image"; continue; }
  copy "$ft"
  copy_libs "$ft"
done

say "etc and directories"
mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/run" "$root/work"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
for f in /etc/protocols /etc/services; do [ -f "$f" ] && copy "$f"; done

cat >"$work/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin NODE_ENV=production
WORKDIR /work
LABEL org.opencontainers.image.title="drill" org.opencontainers.image.version="$version"
ENTRYPOINT ["/usr/bin/node", "/usr/local/lib/node_modules/drill/bin/drill.js"]
CMD ["--help"]
EOF

say "docker build -t $tag"
build_start=$(date +%s%N)
docker build --quiet --tag "$tag" "$work" >/dev/null
secs() { local ms=$(( ($(date +%s%N) - $1) / 1000000 )); echo "$(( ms / 1000 )).$(( ms % 1000 / 100 )) s"; }
size=$(docker image inspect --format '{{.Size}}' "$tag")
echo "built $tag: $(( size / 1000000 )) MB in $(secs "$start") (npm install $install_s, docker build $(secs "$build_start"))"
