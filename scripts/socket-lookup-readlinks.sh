#!/usr/bin/env bash
# Cost of finding the process that serves the scanned socket: the readlink(2) calls on
# /proc/PID/fd/N a `dockbench scan` makes (the holder search, the serving process's listeners),
# counted with strace, with N running containers on the local daemon (started here, labelled,
# always removed). Prints one line per binary: fd readlinks, all readlinks.
#
# Usage: scripts/socket-lookup-readlinks.sh --bin PATH [--baseline PATH] [--containers N]
#                                          [--host ADDRESS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="" baseline="" n=100 host="unix:///var/run/docker.sock"
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$(realpath "$2"); shift 2 ;;
    --baseline) baseline=$(realpath "$2"); shift 2 ;;
    --containers) n=$2; shift 2 ;;
    --host) host=$2; shift 2 ;;
    *) echo "unknown argument: $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done
[ -n "$bin" ] || { echo "--bin PATH is required" >&2; exit 2; }
command -v strace >/dev/null || { echo "needs strace" >&2; exit 1; }
label="dockbench.readlinks=$$"
image=dockbench-test/busybox:1
work=$(mktemp -d "${TMPDIR:-/tmp}/dockbench-readlinks.XXXXXX")
cleanup() {
  docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if ! docker image inspect "$image" >/dev/null 2>&1; then
  [ -x /bin/busybox ] || { echo "needs /bin/busybox: apt-get install busybox-static" >&2; exit 1; }
  root="$work/rootfs"
  mkdir -p "$root/bin"
  cp /bin/busybox "$root/bin/"
  for a in sh sleep; do ln -s busybox "$root/bin/$a"; done
  tar -C "$root" -c . | docker import --change 'CMD ["sleep","3600"]' - "$image" >/dev/null
fi
for i in $(seq 1 "$n"); do
  docker run -d --label "$label" --network none "$image" sleep 3600 >/dev/null
done
measure() {
  local name=$1 b=$2
  # -y names each descriptor's path: procfs reads `readlinkat(<fd of /proc/PID/fd>, "N")`.
  strace -f -qq -y -e trace=readlink,readlinkat -o "$work/trace.$name" \
    "$b" scan --host "$host" --check 3.15,3.16 --format json --output "$work/out.$name.json" >/dev/null 2>&1 || true
  local fd all
  fd=$(grep -cE 'readlink(at)?\(((AT_FDCWD, )?"/proc/[0-9]+/fd/[0-9]+"|[0-9]+</proc/[0-9]+/fd>, "[0-9]+"|[0-9]+</proc/[0-9]+/fd/[0-9]+>, "")' "$work/trace.$name" || true)
  all=$(grep -cE 'readlink(at)?\(' "$work/trace.$name" || true)
  printf '%-9s %3s containers: %6s readlinks of /proc/PID/fd/N, %6s readlinks in all\n' "$name" "$n" "$fd" "$all"
}
[ -z "$baseline" ] || measure baseline "$baseline"
measure bin "$bin"
