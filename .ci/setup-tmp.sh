#!/usr/bin/env bash
# CI entry point: installs what the tests need on a fresh machine, then runs the README's
# test command. Tests that need Docker run here for real (CI=true makes them fail, not skip,
# when Docker is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true

need=()
[ -x /bin/busybox ] || need+=(busybox-static)           # test image is built from it
command -v chromium >/dev/null || need+=(chromium)      # tests/browser.rs (HTML report)
command -v systemd-analyze >/dev/null || need+=(systemd) # tests/contrib.rs (unit files)
# tests/socket_activation.rs (dconf): a dockerd started by systemd-socket-activate (systemd package)
command -v systemd-socket-activate >/dev/null || need+=(systemd)
command -v promtool >/dev/null || need+=(prometheus)    # tests/render.rs (promtool check metrics)
# Connections and engines (tests/podman.rs, tests/rootless.rs, tests/connect_ssh.rs): Podman's
# API service, a rootless dockerd under rootlesskit (newuidmap from uidmap), an sshd of the
# test's own.
command -v podman >/dev/null || need+=(podman)          # also tests/engines.rs (podman 4.3 in the engine matrix)
command -v rootlesskit >/dev/null || need+=(rootlesskit)
command -v newuidmap >/dev/null || need+=(uidmap)
command -v slirp4netns >/dev/null || need+=(slirp4netns)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
if ! docker info >/dev/null 2>&1 && ! command -v dockerd >/dev/null; then
  need+=(docker.io)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "ci: installing ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "ci: no Docker daemon answers; starting one"
  nohup dockerd >/tmp/ci-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "ci: dockerd did not start"; tail -50 /tmp/ci-dockerd.log; exit 1; }
fi

# Engine matrix (tests/engines.rs, tests/support/engines.rs): Docker 26 and 28 unpacked from
# Debian trixie/sid through a private apt configuration (never installed over the machine's
# packages), podman 4.3 from Debian 12, podman 5.4 in a minimal trixie root made once with
# mmdebstrap (it needs a newer glibc than Debian 12's; the harness chroots into it); cached in
# /var/cache/dockbench-engines between runs. Timed: the log says what a fresh machine pays.
engines_start=$SECONDS
scripts/fetch-engines.sh
echo "ci: engines ready in $((SECONDS - engines_start)) s"


# Fleet tests (tests/fleet_ansible.rs, tests/fleet_kubernetes.rs): ansible-core, ansible-lint and
# kubernetes-validate (which ships the Kubernetes schemas) from PyPI, in a venv kept between runs.
venv=/opt/dockbench-ci-venv
if ! { [ -x "$venv/bin/ansible-playbook" ] && [ -x "$venv/bin/ansible-lint" ] && [ -x "$venv/bin/kubernetes-validate" ]; }; then
  echo "ci: installing ansible-core, ansible-lint, kubernetes-validate into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q ansible-core ansible-lint kubernetes-validate
fi

# Accessibility check in tests/browser.rs: axe-core's browser bundle (axe.min.js), which PyPI's
# axe-playwright-python ships; only the file is used (no Playwright), so no dependencies.
# pdftoppm/pdfinfo (poppler-utils) are for looking at printed pages by hand, not needed here.
if ! ls "$venv"/lib/python3*/site-packages/axe_playwright_python/axe.min.js >/dev/null 2>&1; then
  echo "ci: installing axe-playwright-python (axe-core) into $venv"
  "$venv/bin/pip" install -q --no-deps axe-playwright-python==0.1.8
fi

