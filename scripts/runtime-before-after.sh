#!/usr/bin/env bash
# Each container-verdict kind of issue 13 on a real container, judged by two dockbench
# binaries (e.g. a build of the code before the change and the current one):
#
#   scripts/runtime-before-after.sh OLD_BIN NEW_BIN
#
# Prints one line per kind and binary: check, container, status of that container
# (offender or clean) and the evidence. Containers the VM refuses to start are only created
# and scanned with --all. Everything it makes carries the label dockbench.test=before-after
# and is removed on exit, also on failure.
set -euo pipefail
old=${1:?usage: $0 OLD_BIN NEW_BIN}
new=${2:?usage: $0 OLD_BIN NEW_BIN}
label=dockbench.test=before-after
image=dockbench-test/before-after:$$
tmp=$(mktemp -d)
cleanup() {
  docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker images -q --filter "label=$label" | xargs -r docker rmi -f >/dev/null 2>&1 || true
  docker rmi -f "$image" "$image-wh" >/dev/null 2>&1 || true
  docker volume rm -f "dbt-ba-vol-$$" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# A busybox rootfs with an sshd copy (so /proc/PID/comm says sshd).
mkdir -p "$tmp/r/bin" "$tmp/r/usr/sbin" "$tmp/r/tmp" "$tmp/r/etc"
cp /bin/busybox "$tmp/r/bin/busybox"
for a in sh sleep cat ls true echo; do ln -s busybox "$tmp/r/bin/$a"; done
cp /bin/busybox "$tmp/r/usr/sbin/sshd"
printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n' \
  >"$tmp/r/etc/passwd"
tar -C "$tmp/r" -c . | docker import --change 'CMD ["sleep","3600"]' \
  --change "LABEL $label" - "$image" >/dev/null

n=0
run() { # run NAME FLAGS... -- CMD...
  local name=ba-$1-$$; shift
  docker run -d --name "$name" --label "$label" "$@" >/dev/null
  echo "$name"
}
create() {
  local name=ba-$1-$$; shift
  docker create --name "$name" --label "$label" "$@" >/dev/null
  echo "$name"
}

declare -a kinds
add() { kinds+=("$1|$2|$3"); } # check|container|what

add 4.1 "$(create zeros --user 00 "$image")" "--user 00 (UID 0 spelled otherwise)"
add 4.1 "$(create admin --user admin "$image")" "--user admin (UID 0 in the image's passwd)"
add 5.26 "$(create nnp1 --security-opt no-new-privileges=1 "$image")" "no-new-privileges=1"
add 5.26 "$(create nnpoff --security-opt no-new-privileges=false "$image")" "no-new-privileges=false"
add 5.27 "$(create hc --health-interval 5s "$image")" "--health-interval without --health-cmd"
add 5.12 "$(create shares --cpu-shares 1024 "$image")" "--cpu-shares 1024 (the default weight)"
add 5.8 "$(create range -p 80-81:8080 "$image")" "-p 80-81:8080 (a privileged range)"
hostnet=$(create hostnet --network host "$image")
add 5.10 "$(create netjoin --network "container:$hostnet" "$image")" "--network container:<host-net container>"
hostpid=$(create hostpid --pid host "$image")
add 5.16 "$(create pidjoin --pid "container:$hostpid" "$image")" "--pid container:<host-pid container>"
add 5.32 "$(create sockvol -v "dbt-ba-vol-$$:/var/run/docker.sock" "$image")" "named volume at /var/run/docker.sock (not the host socket)"
add 5.32 "$(create sockelse -v /var/run/docker.sock:/engine.sock:ro "$image")" "host socket at /engine.sock, :ro"
add 5.18 "$(create cgrule --device-cgroup-rule 'c 1:3 mr' "$image")" "--device-cgroup-rule"
add DP.4.1 "$(run shellflags "$image" sh -ec 'sleep 3600; echo done')" "sh -ec as PID 1 (a shell that stays PID 1)"
add 5.7 "$(create sshdsh "$image" sh -c '/usr/sbin/sshd -D')" "sshd started through sh -c (stopped)"
killed=$(run killed "$image")
docker kill "$killed" >/dev/null
add DP.1.1 "$killed" "docker kill (exit 137, not OOMKilled)"
add 5.4 "$(run capdrop --cap-drop ALL --cap-add NET_BIND_SERVICE "$image")" "--cap-drop ALL --cap-add NET_BIND_SERVICE (must stay clean)"
base=$(run wh "$image" sh -c 'rm /usr/sbin/sshd && sleep 3600')
sleep 1
docker commit -c "LABEL $label" "$base" "$image-wh" >/dev/null
add 4.3 "$image-wh" "image whose later layer deletes sshd"

checks=$(printf '%s\n' "${kinds[@]}" | cut -d'|' -f1 | sort -u | paste -sd,)
for bin in "$old" "$new"; do
  "$bin" scan --all --all-images --benchmark cis-docker-1.6.0,dockbench-practices --check "$checks" -f json -o "json=$tmp/$(basename "$(dirname "$bin")")-$n.json" -q >/dev/null 2>&1 || true
  n=$((n + 1))
done

verdict() { # report check object
  jq -r --arg id "$2" --arg o "$3" '
    (.results[] | select(.id == $id)) as $r
    | ([$r.findings[]? | select(.object == $o)] | first) as $f
    | ([$r.exceptions[]? | select(.object == $o)] | first) as $e
    | if $f then "offender: \($f.value)"
      elif $e then "\($e.status // "exception"): \($e.reason // $e.value)"
      else "clean (check \($r.status))" end' "$1" 2>/dev/null || echo "(no result)"
}

old_json=$(ls "$tmp"/*-0.json)
new_json=$(ls "$tmp"/*-1.json)
printf '%-7s %-62s | %-45s | %s\n' check kind before after
for k in "${kinds[@]}"; do
  IFS='|' read -r id obj what <<<"$k"
  printf '%-7s %-62s | %-45.45s | %s\n' "$id" "$what" "$(verdict "$old_json" "$id" "$obj")" "$(verdict "$new_json" "$id" "$obj")"
done
