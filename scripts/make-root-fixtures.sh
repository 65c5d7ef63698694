#!/usr/bin/env bash
# Generates the clone-host fixture trees under tests/fixtures/roots/ that tests/offline.rs scans
# with `dockbench scan --root`. Each tree is a tiny host disk laid out as Docker (20.10–28, graph
# driver image store) leaves it (the docker-* trees come from real daemons, see the end): <data-root>/containers/<id>/{config.v2.json,hostconfig.json},
# <data-root>/image/overlay2/{repositories.json,imagedb,layerdb}, unit files, daemon.json,
# audit rules, passwd/group. Re-run after changing it and commit the result:
#   scripts/make-root-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/roots
rm -rf "$out"
mkdir -p "$out"

IMAGE_HEX=1111111111111111111111111111111111111111111111111111111111111111
BASE_HEX=2222222222222222222222222222222222222222222222222222222222222222
LAYER1=sha256:aaaa000000000000000000000000000000000000000000000000000000000001
LAYER2=sha256:aaaa000000000000000000000000000000000000000000000000000000000002
CHAIN1=cccc000000000000000000000000000000000000000000000000000000000001
CHAIN2=cccc000000000000000000000000000000000000000000000000000000000002
CACHE1=dddd000000000000000000000000000000000000000000000000000000000001
CACHE2=dddd000000000000000000000000000000000000000000000000000000000002
WEB=a000000000000000000000000000000000000000000000000000000000000001
PRIV=a000000000000000000000000000000000000000000000000000000000000002
OLD=a000000000000000000000000000000000000000000000000000000000000003
STARTED=2026-01-02T03:04:05.000000001Z
ZERO=0001-01-01T00:00:00Z

# host_files ROOT HOSTNAME: identity, users, audit rules, binaries.
host_files() {
  local r=$1
  mkdir -p "$r/etc/audit/rules.d" "$r/usr/bin" "$r/usr/lib" "$r/run" "$r/var"
  echo "$2" >"$r/etc/hostname"
  printf 'PRETTY_NAME="Clone Linux 1"\nNAME="Clone Linux"\n' >"$r/usr/lib/os-release"
  ln -s ../usr/lib/os-release "$r/etc/os-release"
  # An absolute link, as on real hosts: it must resolve inside the clone, not on the scanner.
  ln -s /run "$r/var/run"
  # Merged /usr: the audit rule below names /bin/containerd, the binary is found as
  # /usr/bin/containerd; auditd resolves the rule's path, so it audits that file.
  ln -s usr/bin "$r/bin"
  printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nci:x:1001:999::/home/ci:/bin/sh\n' >"$r/etc/passwd"
  printf 'root:x:0:\nalice:x:1000:\ndocker:x:999:alice\n' >"$r/etc/group"
  printf -- '-w /usr/bin/dockerd -k docker\n-w /var/lib/docker -k docker\n-w /bin/containerd -k docker\n' >"$r/etc/audit/rules.d/docker.rules"
  for b in dockerd containerd runc; do : >"$r/usr/bin/$b"; chmod 755 "$r/usr/bin/$b"; done
}

# image_store DATA_ROOT: one tagged image built from a base, with a layer store.
image_store() {
  local d=$1/image/overlay2
  mkdir -p "$d/imagedb/content/sha256" "$d/imagedb/metadata/sha256/$IMAGE_HEX" \
    "$d/layerdb/sha256/$CHAIN1" "$d/layerdb/sha256/$CHAIN2"
  cat >"$d/imagedb/content/sha256/$IMAGE_HEX" <<EOF
{"architecture":"amd64","os":"linux","created":"2026-01-01T00:00:00Z",
 "config":{"User":"","Env":["PATH=/usr/bin"],"Cmd":["/app"],"Entrypoint":null,"Labels":{"org.example":"fixture"},"Healthcheck":null,"ExposedPorts":{"80/tcp":{}}},
 "history":[
  {"created":"2025-12-01T00:00:00Z","created_by":"/bin/sh -c #(nop) ADD file:0123abcd in / "},
  {"created":"2025-12-01T00:00:01Z","created_by":"/bin/sh -c #(nop)  CMD [\"sh\"]","empty_layer":true},
  {"created":"2026-01-01T00:00:00Z","created_by":"ADD app.tar.gz /srv/ # buildkit","comment":"buildkit.dockerfile.v0"}],
 "rootfs":{"type":"layers","diff_ids":["$LAYER1","$LAYER2"]}}
EOF
  # A base image that is the parent of the other one and untagged: `docker images` hides it.
  cat >"$d/imagedb/content/sha256/$BASE_HEX" <<EOF
{"architecture":"amd64","os":"linux","created":"2025-12-01T00:00:01Z","config":{"Cmd":["sh"]},
 "history":[{"created":"2025-12-01T00:00:00Z","created_by":"/bin/sh -c #(nop) ADD file:0123abcd in / "}],
 "rootfs":{"type":"layers","diff_ids":["$LAYER1"]}}
EOF
  echo -n "sha256:$BASE_HEX" >"$d/imagedb/metadata/sha256/$IMAGE_HEX/parent"
  echo -n "$LAYER1" >"$d/layerdb/sha256/$CHAIN1/diff"
  echo -n 1000 >"$d/layerdb/sha256/$CHAIN1/size"
  echo -n "$LAYER2" >"$d/layerdb/sha256/$CHAIN2/diff"
  echo -n "sha256:$CHAIN1" >"$d/layerdb/sha256/$CHAIN2/parent"
  echo -n 234 >"$d/layerdb/sha256/$CHAIN2/size"
  # Layer contents (CIS 4.3, 4.8 walk them): the base has a shell and netcat, the top layer
  # the application. Git keeps no setuid bits, so the setuid case is a test of its own.
  echo -n "$CACHE1" >"$d/layerdb/sha256/$CHAIN1/cache-id"
  echo -n "$CACHE2" >"$d/layerdb/sha256/$CHAIN2/cache-id"
  local o=$1/overlay2
  mkdir -p "$o/$CACHE1/diff/bin" "$o/$CACHE1/diff/usr/bin" "$o/$CACHE2/diff/srv"
  echo '#!fixture' >"$o/$CACHE1/diff/bin/sh"
  echo '#!fixture' >"$o/$CACHE1/diff/usr/bin/nc"
  chmod 755 "$o/$CACHE1/diff/bin/sh" "$o/$CACHE1/diff/usr/bin/nc"
  echo 'app' >"$o/$CACHE2/diff/srv/app"
  cat >"$d/repositories.json" <<EOF
{"Repositories":{"fixture/app":{"fixture/app:1":"sha256:$IMAGE_HEX","fixture/app@sha256:9999999999999999999999999999999999999999999999999999999999999999":"sha256:$IMAGE_HEX"}}}
EOF
}

# container DATA_ROOT ID NAME RUNNING STARTED_AT HOSTCONFIG MOUNTPOINTS PORTS
container() {
  local dir=$1/containers/$2
  mkdir -p "$dir"
  cat >"$dir/config.v2.json" <<EOF
{"StreamConfig":{},"State":{"Running":$4,"Paused":false,"Restarting":false,"OOMKilled":false,"RemovalInProgress":false,"Dead":false,"Pid":0,"ExitCode":0,"Error":"","StartedAt":"$5","FinishedAt":"$ZERO","Health":null},
 "ID":"$2","Created":"2026-01-02T03:04:0${2: -1}.000000000Z","Managed":false,"Path":"/app","Args":[],
 "Config":{"Hostname":"${2:0:12}","User":"","Env":["PATH=/usr/bin"],"Cmd":["/app"],"Image":"fixture/app:1","WorkingDir":"","Entrypoint":null,"Labels":{},"ExposedPorts":{"80/tcp":{}}},
 "Image":"sha256:$IMAGE_HEX",
 "NetworkSettings":{"Bridge":"","Networks":{"bridge":{"NetworkID":"n1","IPAddress":"172.17.0.2","GlobalIPv6Address":""}},"Ports":$8},
 "Name":"/$3","Driver":"overlay2","OS":"linux","MountLabel":"","ProcessLabel":"","RestartCount":0,
 "MountPoints":$7,"AppArmorProfile":"","SeccompProfile":"","NoNewPrivileges":false}
EOF
  cat >"$dir/hostconfig.json" <<EOF
$6
EOF
}

# A plain host config; $1 is spliced in to override fields.
hc() {
  echo "{\"Binds\":null,\"NetworkMode\":\"default\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"private\",\"IpcMode\":\"private\",\"PidMode\":\"\",\"Privileged\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":67108864,\"Runtime\":\"runc\",\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{}},\"Memory\":0,\"NanoCpus\":0,\"CpuShares\":0,\"PidsLimit\":null,\"Devices\":[],\"Ulimits\":null,\"Init\":null${1:+,$1}}"
}

# containers DATA_ROOT: a web server publishing port 80, a privileged one with host PID and a
# bind of /etc, and an exited one.
containers() {
  container "$1" $WEB web true $STARTED \
    "$(hc '"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"80"}]},"Memory":268435456,"ReadonlyRootfs":true')" \
    '{"/data":{"Source":"","Destination":"/data","RW":true,"Name":"webdata","Driver":"local","Type":"volume","Relabel":"","Propagation":""}}' \
    '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"80"}]}'
  container "$1" $PRIV priv true $STARTED \
    "$(hc '"Privileged":true,"PidMode":"host","Binds":["/etc:/host-etc"],"CapAdd":["NET_ADMIN"]')" \
    '{"/host-etc":{"Source":"/etc","Destination":"/host-etc","RW":true,"Name":"","Driver":"","Type":"bind","Relabel":"","Propagation":"rprivate"}}' \
    '{}'
  container "$1" $OLD old false 2026-01-01T00:00:00Z "$(hc '"NetworkMode":"host"')" '{}' '{}'
}

unit() {
  mkdir -p "$(dirname "$1")"
  printf '[Unit]\nDescription=Docker Application Container Engine\n\n[Service]\nType=notify\n%s\n' "$2" >"$1"
}

# normal: rootful Docker at /var/lib/docker; flags from the unit's ExecStart, replaced by a
# drop-in; settings from /etc/docker/daemon.json.
r=$out/normal
host_files "$r" clone-normal
mkdir -p "$r/etc/docker" "$r/var/lib/docker"
echo '{"icc": false, "log-level": "info"}' >"$r/etc/docker/daemon.json"
unit "$r/usr/lib/systemd/system/docker.service" \
  'ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock'
mkdir -p "$r/etc/systemd/system/docker.service.d"
printf '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// \\\n  --live-restore --userland-proxy=false\n' \
  >"$r/etc/systemd/system/docker.service.d/override.conf"
image_store "$r/var/lib/docker"
containers "$r/var/lib/docker"

# corrupt: as normal, but one container's config.v2.json is truncated mid-write.
cp -a "$out/normal" "$out/corrupt"
echo clone-corrupt >"$out/corrupt/etc/hostname"
f=$out/corrupt/var/lib/docker/containers/$WEB/config.v2.json
head -c 200 "$f" >"$f.part" && mv "$f.part" "$f"

# custom-data-root: daemon.json moves the data root to /srv/docker; an old, empty
# /var/lib/docker must not be scanned instead.
r=$out/custom-data-root
host_files "$r" clone-custom
mkdir -p "$r/etc/docker" "$r/srv/docker" "$r/var/lib/docker"
echo '{"data-root": "/srv/docker", "storage-driver": "overlay2"}' >"$r/etc/docker/daemon.json"
unit "$r/lib/systemd/system/docker.service" 'ExecStart=/usr/bin/dockerd -H fd://'
image_store "$r/srv/docker"
containers "$r/srv/docker"

# rootless: no system daemon; alice runs rootless Docker from her user unit.
r=$out/rootless
host_files "$r" clone-rootless
h=$r/home/alice
mkdir -p "$h/.config/docker" "$h/.local/share/docker"
echo '{"log-level": "debug"}' >"$h/.config/docker/daemon.json"
unit "$h/.config/systemd/user/docker.service" 'ExecStart=/usr/bin/dockerd-rootless.sh --experimental'
image_store "$h/.local/share/docker"
containers "$h/.local/share/docker"

# docker-26, docker-28, docker-28-containerd: trees from real private daemons of those versions
# (tests/support/engines.rs; needs root and the engines of scripts/fetch-engines.sh), with the
# live scan's container verdicts in live-verdicts.json. DOCKBENCH_NO_ENGINES=1 keeps the old
# trees of these three instead.
engine_roots=(docker-26 docker-28 docker-28-containerd)
if [ -n "${DOCKBENCH_NO_ENGINES:-}" ]; then
  for e in "${engine_roots[@]}"; do git checkout -- "$out/$e" 2>/dev/null || true; done
else
  DOCKBENCH_FIXTURE_OUT=$PWD/$out cargo test -q --test engines -- --ignored --exact write_engine_fixture_roots
fi

# git keeps no empty directories.
find "$out" -type d -empty -exec touch {}/.keep \;
echo "fixtures written to $out"
