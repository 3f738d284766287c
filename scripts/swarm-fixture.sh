#!/usr/bin/env bash
# A multi-host Docker Swarm on ONE machine, for tests of `drill run --engine swarm`
# (docs/swarm.md). Each "host" is a Docker engine in a container built FROM scratch from
# this machine's own dockerd, containerd, containerd-shim-runc-v2, runc, docker-proxy,
# docker-init, ip and iptables (xtables-nft-multi, its links and modules) and their
# libraries: no registry, no base image (see ENVIRONMENT.md, "Several Docker hosts").
#
#   scripts/swarm-fixture.sh up NAME [HOSTS]   build (cached), start HOSTS engines (default 3),
#                                              init a swarm on the first, join the others;
#                                              prints the environment drill needs, one
#                                              KEY=VALUE a line (DRILL_SWARM_*)
#   scripts/swarm-fixture.sh env NAME          the same lines for a fixture that is up
#   scripts/swarm-fixture.sh down NAME         remove it all: containers, volumes, network,
#                                              /sys/fs/cgroup/*/drill-fx-NAME-* and its
#                                              directory under /tmp (the image stays: cache)
#
# What a host container gets, and why (this fixture only; a real swarm host is a machine):
#   --cap-add SYS_ADMIN --cap-add NET_ADMIN, apparmor and seccomp unconfined: dockerd mounts,
#     creates namespaces and network devices (--privileged is refused on these machines);
#   /sys/fs/cgroup rw and dockerd --cgroup-parent=/drill-fx-NAME-hN: the inner containers'
#     cgroups beside, not inside, the host engine's (removed by `down`);
#   /var/lib/docker on a volume (overlay2 cannot stack on the container's own overlay);
#   /dev of the machine with block major 7 and loop-control allowed: bounded data volumes
#     (disk-full) are ext4 on loop devices, which the inner dockerd mounts;
#   a directory shared by every host at /srv/drill-shared (the backup repository, as an NFS
#     mount would be on a real swarm): DRILL_SWARM_SHARED_DIR;
#   the engine's API socket in /tmp/drill-fx-NAME/hN/ on this machine: drill loads images
#     into each host through it (DRILL_SWARM_HOSTS) and drives the swarm through the first
#     (DRILL_SWARM_MANAGER). No TCP port is opened.
set -euo pipefail

cmd="${1:-}"
name="${2:-}"
hosts="${3:-3}"
[[ "$name" =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || {
  echo "usage: $0 up|env|down NAME [HOSTS]  (NAME: lower-case letters, digits, -)" >&2
  exit 2
}
prefix="drill-fx-$name"
dir="/tmp/$prefix"
# copy, copy_libs, tool, copy_iptables
. "$(dirname "$0")/lib/rootfs.sh"
say() { echo "swarm-fixture: $*" >&2; }

host_names() { docker ps -a --filter "label=drill.fixture=$name" --format '{{.Names}}' | sort; }
sock() { echo "unix://$dir/$1/docker.sock"; }
dk() { local h="$1"; shift; docker -H "$(sock "$h")" "$@"; }

build_image() {
  local work root
  work=$(mktemp -d /tmp/drill-fx-image-XXXXXX)
  root="$work/rootfs"
  mkdir -p "$root"
  for b in dockerd containerd containerd-shim-runc-v2 runc docker-proxy docker-init ip; do tool "$b" "/usr/bin/$b"; done
  copy_iptables
  mkdir -p "$root/etc" "$root/tmp" "$root/run" "$root/var/lib/docker" "$root/srv/drill-shared"
  chmod 1777 "$root/tmp"
  ln -s /run "$root/var/run"
  printf 'root:x:0:0:root:/root:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  for f in /etc/protocols /etc/services; do [ -f "$f" ] && copy "$f"; done
  cat >"$work/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/bin:/usr/sbin
ENTRYPOINT ["/usr/bin/dockerd"]
EOF
  docker build --quiet --label drill.fixture.image=dockerd --tag "$1" "$work" >/dev/null
  rm -rf "$work"
}

image_tag() {
  # Content-addressed on the binaries it copies and on how it assembles them, so a new Docker
  # on the machine, or a change to this script or scripts/lib/rootfs.sh, rebuilds it.
  local h
  h=$( (for b in dockerd containerd containerd-shim-runc-v2 runc docker-proxy docker-init ip iptables; do
    sha256sum "$(readlink -f "$(command -v "$b")")"
  done; sed -n '/^build_image()/,/^}/p' "$0"; cat "$(dirname "$0")/lib/rootfs.sh") | sha256sum | cut -c1-16)
  echo "drill-fixture/dockerd:$h"
}

print_env() {
  local all=() h
  mapfile -t all < <(host_names)
  [ "${#all[@]}" -gt 0 ] || { say "no fixture named $name is up"; exit 3; }
  local first="${all[0]#"$prefix"-}"
  echo "DRILL_SWARM_MANAGER=$(sock "$first")"
  local list=()
  for c in "${all[@]}"; do
    h="${c#"$prefix"-}"
    list+=("$(sock "$h")")
  done
  echo "DRILL_SWARM_HOSTS=$(IFS=,; echo "${list[*]}")"
  echo "DRILL_SWARM_SHARED_DIR=/srv/drill-shared"
  echo "DRILL_SWARM_FIXTURE_DIR=$dir"
}

up() {
  local tag
  tag=$(image_tag)
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    say "building $tag"
    build_image "$tag"
  fi
  [ -z "$(host_names)" ] || { say "$name is already up (down it first)"; exit 3; }
  mkdir -p "$dir/shared"
  docker network create --label "drill.fixture=$name" "$prefix" >/dev/null
  local i h
  for i in $(seq 1 "$hosts"); do
    h="h$i"
    mkdir -p "$dir/$h"
    docker volume create --label "drill.fixture=$name" "$prefix-$h" >/dev/null
    docker run -d --name "$prefix-$h" --hostname "$h" --network "$prefix" \
      --label "drill.fixture=$name" \
      --cap-add SYS_ADMIN --cap-add NET_ADMIN \
      --security-opt apparmor=unconfined --security-opt seccomp=unconfined \
      -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
      -v "$prefix-$h:/var/lib/docker" \
      -v /dev:/dev --device-cgroup-rule 'b 7:* rwm' --device-cgroup-rule 'c 10:237 rwm' \
      -v "$dir/shared:/srv/drill-shared" \
      -v "$dir/$h:/run/fx" \
      "$tag" \
      --host unix:///var/run/docker.sock --host unix:///run/fx/docker.sock \
      --cgroup-parent "/$prefix-$h" --storage-driver overlay2 \
      --exec-root /run/docker-exec --pidfile /run/dockerd.pid >/dev/null
  done
  for i in $(seq 1 "$hosts"); do
    local n=0
    until dk "h$i" info >/dev/null 2>&1; do
      n=$((n + 1))
      if [ "$n" -gt 150 ]; then
        say "engine h$i did not answer within 30 s:"
        docker logs --tail 20 "$prefix-h$i" >&2 || true
        exit 3
      fi
      sleep 0.2
    done
  done
  local ip1
  ip1=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$prefix\").IPAddress}}" "$prefix-h1")
  dk h1 swarm init --advertise-addr "$ip1" >/dev/null
  local token
  token=$(dk h1 swarm join-token -q worker)
  for i in $(seq 2 "$hosts"); do
    local ip
    ip=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$prefix\").IPAddress}}" "$prefix-h$i")
    dk "h$i" swarm join --advertise-addr "$ip" --token "$token" "$ip1:2377" >/dev/null
  done
  local ready=0
  for _ in $(seq 1 100); do
    ready=$(dk h1 node ls --format '{{.Status}}' | grep -c Ready || true)
    [ "$ready" -ge "$hosts" ] && break
    sleep 0.2
  done
  [ "$ready" -ge "$hosts" ] || { say "only $ready of $hosts swarm nodes ready"; exit 3; }
  print_env
}

down() {
  local c h
  for c in $(host_names); do
    # Leave the swarm's own containers to the engine's shutdown; then the host container.
    docker rm -f "$c" >/dev/null 2>&1 || true
  done
  for v in $(docker volume ls -q --filter "label=drill.fixture=$name"); do docker volume rm -f "$v" >/dev/null || true; done
  docker network rm "$prefix" >/dev/null 2>&1 || true
  # The inner engines' cgroups (dockerd --cgroup-parent): children first, then the parent.
  for d in /sys/fs/cgroup/*/"$prefix"-h*; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "$dir"
  local left=0
  # A glob with no match stays literal: count only what exists (ls would fail under pipefail).
  for d in /sys/fs/cgroup/*/"$prefix"-h*; do [ -d "$d" ] && left=$((left + 1)); done
  [ "$left" -eq 0 ] || { say "$left cgroup dir(s) of $prefix could not be removed"; exit 3; }
}

case "$cmd" in
  up) up ;;
  env) print_env ;;
  down) down ;;
  *) echo "usage: $0 up|env|down NAME [HOSTS]" >&2; exit 2 ;;
esac
