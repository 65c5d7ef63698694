#!/usr/bin/env bash
# Scale benchmark, the whole table of docs/performance.md in one run:
#   live:     N running containers (N = 100, then 1,000; started here, labelled, always removed),
#             the batched `docker inspect` of the same containers as the floor;
#   snapshot: 10,000 containers in a snapshot generated from the live one;
#   root:     100,000 containers in an offline clone root generated from a test fixture.
# Each scan: wall time and peak RSS (/usr/bin/time -v), and the split load / collect /
# evaluate / render that `dockbench scan` prints with DOCKBENCH_TIMINGS=1.
#
# Usage: scripts/bench.sh [--bin PATH] [--baseline PATH] [--live "100 1000"] [--snapshot N]
#                         [--root N] [--runs R]
#   --bin       the binary to measure (default: a fresh release build)
#   --baseline  another binary measured on the same workloads (a "before" column)
#   --quadratic-baseline  the baseline's DP.1.2 is quadratic: not run on the generated
#               snapshot and root with both benchmarks (hours)
#   --live      container counts to scan live ("" skips the live part)
#   --snapshot  containers in the generated snapshot (0 skips it)
#   --root      containers in the generated offline root (0 skips it)
#   --runs      runs per live measurement; the table shows the fastest (default 1)
#   --mem-limit address space per scan in GiB (default 8): a scan above it is reported failed
#   --run-id    names this run's label (dockbench.bench=ID); the containers of an interrupted run
#               with that ID are counted and reused (starting 1,000 takes minutes on a busy host)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="" baseline="" quadratic_baseline="" mem_limit_gib=8 run_id=$$ live="100 1000" snap_n=10000 root_n=100000 runs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$(realpath "$2"); shift 2 ;;
    --baseline) baseline=$(realpath "$2"); shift 2 ;;
    --quadratic-baseline) quadratic_baseline=1; shift ;;
    --live) live=$2; shift 2 ;;
    --snapshot) snap_n=$2; shift 2 ;;
    --root) root_n=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --mem-limit) mem_limit_gib=$2; shift 2 ;;
    --run-id) run_id=$2; shift 2 ;;
    *) echo "unknown argument: $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 1; }
if [ -z "$bin" ]; then
  # Build first: a failed build must not leave containers behind.
  cargo build --release --quiet
  bin=$PWD/target/release/dockbench
fi

label="dockbench.bench=$run_id"
image=dockbench-test/busybox:1
network="dockbench-bench-$run_id"
work=$(mktemp -d "${TMPDIR:-/tmp}/dockbench-bench.XXXXXX")
cleanup() {
  if [ -n "$live" ]; then
    # In batches: one `docker rm -f` of 1,000 containers removes them all at once, which
    # deadlocked Docker 20.10's libnetwork (releaseNetwork against getAllNetworks).
    docker ps -aq --filter "label=$label" | xargs -r -n 25 docker rm -f >/dev/null 2>&1 || true
    docker network rm "$network" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

formats="text json html sarif junit csv markdown docker-bench prometheus"
both="cis-docker-1.6.0,dockbench-practices"
rows=()

# One workload, measured with each binary. $1: row label, $2: "json" or "all", then scan
# arguments.
measure() {
  local name=$1 outs=$2 cells="" b
  shift 2
  for b in "$bin" $baseline; do
    if [ "$b" != "$bin" ] && [ -n "${no_baseline:-}" ]; then
      cells+=" - | $no_baseline | - | - |"
      continue
    fi
    cells+=$(measure_one "$b" "$name" "$outs" "$@")
  done
  rows+=("| $name |$cells")
}

# Prints one binary's table cells for a workload.
measure_one() {
  local b=$1 name=$2 outs=$3 best="" line
  shift 3
  local args=(--quiet)
  if [ "$outs" = all ]; then
    for f in $formats; do args+=(-o "$f=$work/out.$f"); done
  else
    args+=(-o "json=$work/out.json")
  fi
  for _ in $(seq 1 "$runs"); do
    rm -f "$work"/out.*
    # A limit on address space, so a scan that outgrows the machine fails alone instead of
    # making the kernel kill what else runs here.
    if ! ( ulimit -v $((mem_limit_gib * 1048576))
           DOCKBENCH_TIMINGS=1 /usr/bin/time -v -o "$work/time" "$b" scan "${args[@]}" "$@" \
             2>"$work/stderr" || [ $? -le 1 ] ); then
      echo "  $name ($b): failed: $(tail -n 3 "$work/stderr" | tr '\n' ' ')" >&2
      printf ' - | failed (over %s GiB?) | - | - |' "$mem_limit_gib"
      return
    fi
    line=$(python3 - "$work" <<'PY'
import json, re, sys
w = sys.argv[1]
t = open(w + "/time").read()
wall = t.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split()[0].split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
m = re.search(r"timings: load (\d+) ms, collect (\d+) ms, evaluate (\d+) ms, render (\d+) ms",
              open(w + "/stderr").read())
if m:
    load, col, ev, ren = (int(x) / 1000 for x in m.groups())
else:  # a binary without DOCKBENCH_TIMINGS: the report's split, the rest is load + render
    r = json.load(open(w + "/out.json"))["timings"]
    col, ev = r["collect_ms"] / 1000, r["evaluate_ms"] / 1000
    load, ren = None, wall - col - ev
n = json.load(open(w + "/out.json"))["containers_scanned"]
fmt = lambda x: "-" if x is None else f"{x:.2f}"
print(f"{wall:.2f}|{rss:.0f}|{n}|{fmt(load)}|{fmt(col)}|{fmt(ev)}|{fmt(ren)}")
PY
)
    if [ -z "$best" ] || awk -v a="${line%%|*}" -v b="${best%%|*}" 'BEGIN{exit !(a<b)}'; then
      best=$line
    fi
  done
  IFS='|' read -r wall rss n load col ev ren <<<"$best"
  printf ' %s | %s s | %s MiB | %s / %s / %s / %s |' "$n" "$wall" "$rss" "$load" "$col" "$ev" "$ren"
  echo "  $name ($b): $n containers, $wall s, $rss MiB (load $load, collect $col, evaluate $ev, render $ren s)" >&2
}

ensure_image() {
  # Same image and same lock as tests/support/mod.rs, so a parallel test run does not race it.
  exec 9>"${TMPDIR:-/tmp}/dockbench-test-image.lock"
  flock 9
  if ! docker image inspect "$image" >/dev/null 2>&1; then
    [ -x /bin/busybox ] || { echo "needs /bin/busybox: apt-get install busybox-static" >&2; exit 1; }
    local root
    root=$(mktemp -d)
    mkdir -p "$root/bin" "$root/usr/sbin" "$root/tmp" "$root/etc"
    cp /bin/busybox "$root/bin/"
    for a in sh sleep ps cat ls true false wget echo; do ln -s busybox "$root/bin/$a"; done
    cp /bin/busybox "$root/usr/sbin/sshd"
    tar -C "$root" -c . | docker import --change 'CMD ["sleep","3600"]' - "$image" >/dev/null
    rm -rf "$root"
  fi
  flock -u 9
}

# Starts containers $1..$2: one in ten on a network of its own with a published port (a
# docker-proxy each), the rest without a network, all `sleep` — a few MB each.
start_containers() {
  seq "$1" "$2" | xargs -P 4 -I{} sh -c '
    if [ $(( {} % 10 )) -eq 0 ]; then net="--network '"$network"' -p 127.0.0.1::80"; else net="--network none"; fi
    docker run -d --label '"$label"' --name bench-'"$run_id"'-{} $net '"$image"' sleep 86400 >/dev/null'
}

have=0
if [ -n "$live" ]; then
  ensure_image
  docker network inspect "$network" >/dev/null 2>&1 ||
    docker network create --label "$label" "$network" >/dev/null
  have=$(docker ps -aq --filter "label=$label" | wc -l)
  for n in $live; do
    if [ "$have" -lt "$n" ]; then
      echo "starting containers $((have + 1))..$n" >&2
      start_containers $((have + 1)) "$n"
      have=$n
    fi
    ids=$(docker ps -q --filter "label=$label")
    # The floor: one batched inspect of the same containers, what any scanner must at least ask.
    floor=$( { /usr/bin/time -f %e docker inspect $ids >/dev/null; } 2>&1 )
    cells="| $n | $floor s | - | - |"
    [ -z "$baseline" ] || cells+=" $n | $floor s | - | - |"
    rows+=("| live $n: batched \`docker inspect\` (floor) $cells")
    echo "  inspect floor: $floor s" >&2
    measure "live $n: CIS 1.6.0, JSON" json
    measure "live $n: CIS 1.6.0, all formats" all
    measure "live $n: CIS + practices, all formats" all --benchmark "$both"
  done
fi

if [ "$snap_n" -gt 0 ]; then
  echo "generating a snapshot of $snap_n containers" >&2
  if [ "$have" -gt 0 ]; then
    "$bin" collect -o "$work/base.json" >/dev/null
  else
    cp tests/fixtures/snapshots/risky.json "$work/base.json"
  fi
  python3 - "$work/base.json" "$work/snap.json" "$snap_n" <<'PY'
import copy, json, sys
base = json.load(open(sys.argv[1]))
seed = base["containers"]
out, n = [], int(sys.argv[3])
for i in range(n):
    c = copy.deepcopy(seed[i % len(seed)])
    c["Id"] = f"{i:064x}"
    c["Name"] = f"gen-{i}"
    out.append(c)
base["containers"] = out
json.dump(base, open(sys.argv[2], "w"))
PY
  measure "snapshot $snap_n: CIS 1.6.0, JSON" json --snapshot "$work/snap.json"
  # A baseline with a quadratic check would run for hours here.
  no_baseline=${quadratic_baseline:+"not run (quadratic)"}
  measure "snapshot $snap_n: CIS + practices, all formats" all --snapshot "$work/snap.json" --benchmark "$both"
  no_baseline=""
  rm -f "$work/snap.json" "$work/base.json"
fi

if [ "$root_n" -gt 0 ]; then
  echo "generating an offline root of $root_n containers" >&2
  cp -a tests/fixtures/roots/normal "$work/root"
  python3 - "$work/root/var/lib/docker/containers" "$root_n" <<'PY'
import json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
seeds = []
for id in sorted(os.listdir(d)):
    seeds.append((json.load(open(f"{d}/{id}/config.v2.json")), open(f"{d}/{id}/hostconfig.json").read()))
    if not seeds[-1][0].get("State", {}).get("Running"):
        seeds[-1][0]["State"]["Running"] = True
for i in range(n):
    config, host = seeds[i % len(seeds)]
    cid = f"{i:064x}"
    os.makedirs(f"{d}/{cid}", exist_ok=True)
    config = dict(config, ID=cid, Name=f"/gen-{i}")
    with open(f"{d}/{cid}/config.v2.json", "w") as f:
        json.dump(config, f)
    with open(f"{d}/{cid}/hostconfig.json", "w") as f:
        f.write(host)
PY
  no_baseline=${quadratic_baseline:+"not run (minutes)"}
  measure "root $root_n: CIS 1.6.0, JSON" json --root "$work/root"
  no_baseline=${quadratic_baseline:+"not run (quadratic)"}
  measure "root $root_n: CIS + practices, all formats" all --root "$work/root" --benchmark "$both"
  no_baseline=""
  rm -rf "$work/root"
fi

echo
echo "dockbench $("$bin" --version | awk '{print $2}'), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), Docker $(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
head="| workload | containers | wall | peak RSS | load / collect / evaluate / render (s) |"
rule="|---|---|---|---|---|"
if [ -n "$baseline" ]; then
  echo "Left: $bin; right (before): $baseline"
  echo
  head+=" containers | wall | peak RSS | load / collect / evaluate / render (s) |"
  rule+="---|---|---|---|"
fi
echo "$head"
echo "$rule"
printf '%s\n' "${rows[@]}"
