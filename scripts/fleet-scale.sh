#!/usr/bin/env bash
# Fleet merge at scale: makes one real report of a 100-container host (the risky fixture
# snapshot, its containers repeated, evaluated by `scan --snapshot` with both benchmarks), writes
# N host variants of it (own hostname, label, machine-id, engine ID, scan time, and a share of
# their checks flipped between PASS and WARN so hosts differ), then times `dockbench merge` over
# them and prints the fleet HTML's size.
# Usage: scripts/fleet-scale.sh [HOSTS] [CONTAINERS] [RUNS]   (defaults 1000 100 3)
# Uses the `profiling` build (release speed without LTO's build time); DOCKBENCH=path overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-1000}
containers=${2:-100}
runs=${3:-3}
if [ -z "${DOCKBENCH:-}" ]; then
  cargo build --profile profiling --quiet
  DOCKBENCH=target/profiling/dockbench
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/dockbench-fleet-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT

jq --argjson n "$containers" '
  .containers as $c
  | .containers = [range(0; $n) as $i | $c[$i % ($c | length)]
      | .Id = ("\($i)" + .Id[(("\($i)") | length):])
      | .Name = "/app-\($i)"]' \
  tests/fixtures/snapshots/risky.json >"$work/snapshot.json"
"$DOCKBENCH" scan --snapshot "$work/snapshot.json" --benchmark cis-docker-1.6.0,dockbench-practices \
  -q -o json="$work/base.json"

mkdir "$work/reports"
python3 - "$work/base.json" "$work/reports" "$hosts" <<'PY'
import json, random, sys
base, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = json.load(open(base))
rng = random.Random(42)
orig = [(x["status"], x["findings"]) for x in r["results"]]
for i in range(n):
    h = r["host"]
    h["hostname"] = f"node-{i:04d}"
    h["label"] = f"{['web', 'db', 'batch', 'edge'][i % 4]}-{i:04d}"
    h["machine_id"] = f"{i:032x}"
    h["engine_id"] = f"ENG{i:06d}"
    r["finished_at"] = f"2026-11-{1 + i % 28:02d}T12:00:00Z"
    for x, (status, findings) in zip(r["results"], orig):
        x["status"], x["findings"] = status, findings
        if status in ("PASS", "WARN") and rng.random() < 0.15:
            x["status"] = "WARN" if status == "PASS" else "PASS"
            if x["status"] == "PASS":
                x["findings"] = []
    json.dump(r, open(f"{out}/node-{i:04d}.json", "w"), indent=2)
PY
echo "reports: $hosts hosts × $containers containers, $(du -sh "$work/reports" | cut -f1) of JSON ($(stat -c %s "$work/reports/node-0000.json") bytes each)"
for run in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  "$DOCKBENCH" merge "$work/reports" -q -o json="$work/fleet.json" -o html="$work/fleet.html" \
    -o csv="$work/fleet.csv" -o markdown="$work/fleet.md"
  end=$(date +%s.%N)
  echo "run $run: merge + 4 formats in $(echo "$end - $start" | bc) s"
done
echo "fleet HTML $(stat -c %s "$work/fleet.html") bytes, JSON $(stat -c %s "$work/fleet.json") bytes"
if [ -n "${KEEP:-}" ]; then cp "$work/fleet.html" "$KEEP"; echo "fleet HTML kept at $KEEP"; fi
