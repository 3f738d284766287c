# Assembling a FROM-scratch root file system from this machine's own binaries (no base
# image, no registry: ../shared/ENVIRONMENT.md). Sourced, not run, by
# scripts/build-drill-image.sh (the drill image) and scripts/swarm-fixture.sh (the image of
# a Docker engine in a container). The caller sets $root, the directory being assembled
# (a `local root` of the calling function works: bash scopes dynamically), and defines say().

# copy HOST_PATH [IMAGE_PATH]: a real file (symlinks followed), mode kept.
copy() {
  local dest="$root${2:-$1}"
  mkdir -p "$(dirname "$dest")"
  cp -L --preserve=mode "$1" "$dest"
}

# copy_libs FILE: every library ldd lists for FILE, at the same path (loader included).
copy_libs() {
  local lib
  for lib in $(ldd "$1" 2>/dev/null | grep -oE '(=> )?/[^ ]+' | grep -oE '/[^ ]+' || true); do
    [ -e "$root$lib" ] || copy "$lib"
  done
}

# tool NAME [IMAGE_PATH]: a host binary found on PATH (symlinks resolved), with its
# libraries; at IMAGE_PATH, else at the path it has on this machine. Exit 3 when missing.
tool() {
  local p
  p=$(command -v "$1") || { say "missing host tool: $1 (see docs/install.md)"; exit 3; }
  p=$(readlink -f "$p")
  copy "$p" "${2:-$p}"
  copy_libs "$p"
}

# copy_iptables: iptables as this machine has it, one multi-call binary dispatched on the
# name it is called by, with its six names in /usr/sbin and its match / target modules.
copy_iptables() {
  local ipt link dir mod
  ipt=$(readlink -f "$(command -v iptables)") || { say "missing host tool: iptables"; exit 3; }
  case "$(basename "$ipt")" in
    xtables-nft-multi|xtables-legacy-multi) ;;
    *) say "iptables is $ipt, expected xtables-nft-multi or xtables-legacy-multi"; exit 3 ;;
  esac
  copy "$ipt" "/usr/sbin/$(basename "$ipt")"
  copy_libs "$ipt"
  for link in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
    ln -sf "$(basename "$ipt")" "$root/usr/sbin/$link"
  done
  for dir in /usr/lib/*-linux-gnu/xtables /usr/lib/xtables /usr/lib64/xtables; do
    [ -d "$dir" ] || continue
    for mod in "$dir"/*.so; do copy "$mod"; copy_libs "$mod"; done
  done
}
