#!/usr/bin/env bash
# Scan benchmark: starts N labelled containers (default 100), times `dockbench scan` over
# them (release build), prints the wall time and the report's collect/evaluate split, and
# removes every container it made. Usage: scripts/bench.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
runs=${2:-3}
label="dockbench.bench=$$"
image=dockbench-test/busybox:1

# Build first: a failed build must not leave N containers behind.
cargo build --release --quiet

# Same image and same lock as tests/support/mod.rs, so a parallel test run does not race it.
exec 9>"${TMPDIR:-/tmp}/dockbench-test-image.lock"
flock 9
if ! docker image inspect "$image" >/dev/null 2>&1; then
  [ -x /bin/busybox ] || { echo "needs /bin/busybox: apt-get install busybox-static" >&2; exit 1; }
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/usr/sbin" "$root/tmp" "$root/etc"
  cp /bin/busybox "$root/bin/"
  for a in sh sleep ps cat ls true false wget echo; do ln -s busybox "$root/bin/$a"; done
  cp /bin/busybox "$root/usr/sbin/sshd"
  tar -C "$root" -c . | docker import --change 'CMD ["sleep","3600"]' - "$image" >/dev/null
  rm -rf "$root"
fi
flock -u 9

# A network of its own: publishing ports then does not depend on the default bridge
# (docker0), which other users of a shared daemon may take down.
network="dockbench-bench-$$"
cleanup() {
  docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null
  docker network rm "$network" >/dev/null 2>&1 || true
}
trap cleanup EXIT
docker network create --label "$label" "$network" >/dev/null

echo "starting $n containers…"
seq 1 "$n" | xargs -P 8 -I{} docker run -d --label "$label" --name "bench-$$-{}" \
  --network "$network" --cap-add NET_ADMIN -p 127.0.0.1::80 "$image" >/dev/null

out=$(mktemp)
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  ./target/release/dockbench scan --quiet -o "json=$out"
  end=$(date +%s.%N)
  python3 - "$out" "$start" "$end" "$i" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
t = r["timings"]
print(f"run {sys.argv[4]}: {r['containers_scanned']} containers, wall {wall*1000:.0f} ms "
      f"(collect {t['collect_ms']} ms, evaluate {t['evaluate_ms']} ms)")
PY
done
rm -f "$out"
