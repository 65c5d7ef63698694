#!/usr/bin/env bash
# Fetches the container engines of the test matrix (tests/support/engines.rs) into a cache
# directory, unpacked, without installing them over the machine's packages:
#   docker-26/  docker.io 26.1 + containerd 1.7 (Debian trixie)
#   docker-28/  docker.io 28.5 + containerd 2.1 (Debian sid)
#   podman-5-root/  a minimal Debian trixie root (mmdebstrap --variant=extract: the packages and
#               their dependencies unpacked, nothing configured) with podman 5.4, conmon, runc,
#               netavark and containers-common: podman 5 needs glibc >= 2.38, this machine has
#               Debian 12's 2.36, so tests/support/engines.rs runs it chrooted into this root
# Podman 4.3 is Debian 12's own package: installed normally with apt-get when missing.
# The Debian packages come through a private apt configuration (its own sources list, lists
# and cache under the cache directory); `dpkg-deb -x` unpacks them. Each engine directory is
# complete when its `.done` file names the package versions; re-running does nothing then.
# The machine's runc is used by every engine (sid's runc needs a newer glibc).
#   scripts/fetch-engines.sh [ENGINE...]     (default: all; cache: $DOCKBENCH_ENGINES or
#                                             /var/cache/dockbench-engines)
set -euo pipefail
cache=${DOCKBENCH_ENGINES:-/var/cache/dockbench-engines}
engines=("$@")
[ ${#engines[@]} -gt 0 ] || engines=(docker-26 docker-28 podman-5 podman-4)
mkdir -p "$cache"
apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc/preferences.d" "$apt_dir/debs"
cat >"$apt_dir/etc/sources.list" <<'EOF'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
EOF
: >"$apt_dir/status"
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/etc/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::Etc::Preferences=/dev/null"
  -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::State::status=$apt_dir/status"
  -o "Dir::Cache=$apt_dir/cache"
  -o "APT::Architecture=amd64"
  -o "APT::Architectures=amd64"
  -o "Acquire::Languages=none"
  -o "Debug::NoLocking=true"
  -o "APT::Sandbox::User=root"
)
updated=no
apt_update() {
  if [ $updated = no ]; then
    # Lists older than a day are refreshed; newer ones are used as they are.
    if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 -print -quit)" ]; then
      echo "fetch-engines: apt-get update (trixie, sid)"
      apt-get "${apt_opts[@]}" update -qq
    fi
    updated=yes
  fi
}

# fetch NAME SUITE PACKAGE...: downloads PACKAGE/SUITE and unpacks them into $cache/NAME.
fetch() {
  local name=$1 suite=$2
  shift 2
  local dest=$cache/$name
  # The package list is part of the stamp: a changed list fetches again.
  if [ -f "$dest/.done" ] && [ "$(cat "$dest/.packages" 2>/dev/null)" = "$suite $*" ]; then
    echo "fetch-engines: $name cached ($(tr '\n' ' ' <"$dest/.done"))"
    return
  fi
  apt_update
  local want=() p
  for p in "$@"; do want+=("$p/$suite"); done
  rm -rf "$dest.tmp"
  mkdir -p "$dest.tmp"
  # Each engine's packages in a directory of their own: the same package of the other suite
  # may be in the shared cache.
  local debs=$apt_dir/debs/$name
  rm -rf "$debs"
  mkdir -p "$debs"
  (cd "$debs" && apt-get "${apt_opts[@]}" download -qq "${want[@]}")
  local versions=() deb
  for deb in "$debs"/*.deb; do
    dpkg-deb -x "$deb" "$dest.tmp"
    versions+=("$(basename "$deb" .deb)")
  done
  printf '%s\n' "${versions[@]}" >"$dest.tmp/.done"
  echo "$suite $*" >"$dest.tmp/.packages"
  rm -rf "$dest"
  mv "$dest.tmp" "$dest"
  echo "fetch-engines: $name unpacked ($(tr '\n' ' ' <"$dest/.done"))"
}

# podman_root DEST: the trixie root of podman 5 (see above), about 100 MB unpacked. The root
# stays read-only for the engine (the harness mounts it so); the mount points it needs are
# made here.
podman_root() {
  local dest=$1 pkgs="podman conmon runc netavark golang-github-containers-common"
  if [ -f "$dest/.done" ] && [ "$(cat "$dest/.packages" 2>/dev/null)" = "trixie $pkgs" ]; then
    echo "fetch-engines: podman-5 cached ($(tr '\n' ' ' <"$dest/.done"))"
    return
  fi
  if ! command -v mmdebstrap >/dev/null; then
    echo "fetch-engines: installing mmdebstrap (Debian 12)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq mmdebstrap >/dev/null
  fi
  rm -rf "$dest.tmp"
  # extract: no maintainer scripts run (none are needed to run podman), so the root is
  # made without chroot tricks and quickly; recommends (buildah, slirp4netns, …) left out.
  mmdebstrap --quiet --variant=extract --include="${pkgs// /,}" \
    --aptopt='APT::Install-Recommends "false"' \
    --aptopt='Acquire::Languages "none"' \
    trixie "$dest.tmp" \
    "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main"
  local r=$dest.tmp d
  for d in proc sys dev run tmp var/tmp etc; do mkdir -p "$r/$d"; done
  [ -e "$r/var/run" ] || ln -s ../run "$r/var/run"
  # Merged /usr, as trixie has it (extract runs no hooks that would link these): the ELF
  # interpreter is /lib64/ld-linux-x86-64.so.2.
  for d in bin sbin lib lib64; do [ -e "$r/$d" ] || ln -s "usr/$d" "$r/$d"; done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
  printf 'root:x:0:\n' >"$r/etc/group"
  : >"$r/etc/hosts"
  : >"$r/etc/resolv.conf"
  rm -rf "$r/var/cache/apt" "$r/var/lib/apt/lists" "$r/usr/share/doc" "$r/usr/share/man" "$r/usr/share/locale"
  # podman reads /proc/self at start: a private mount namespace lends it one.
  unshare --mount --propagation private sh -c 'mount --rbind /proc "$1/proc" && exec chroot "$1" /usr/bin/podman --version' sh "$r" >"$r/.done"
  echo "trixie $pkgs" >"$r/.packages"
  rm -rf "$dest"
  mv "$r" "$dest"
  echo "fetch-engines: podman-5 root made ($(cat "$dest/.done"))"
}

for e in "${engines[@]}"; do
  case $e in
    docker-26) fetch docker-26 trixie docker.io containerd ;;
    docker-28) fetch docker-28 sid docker.io containerd ;;
    podman-5 | podman-5-root) podman_root "$cache/podman-5-root" ;;
    podman-4)
      if ! command -v podman >/dev/null; then
        echo "fetch-engines: installing podman (Debian 12)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman >/dev/null
      fi
      echo "fetch-engines: podman-4 is $(podman --version)" ;;
    *) echo "fetch-engines: unknown engine $e (docker-26, docker-28, podman-5, podman-4)" >&2; exit 2 ;;
  esac
done
