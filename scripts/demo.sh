#!/usr/bin/env bash
# The main job: build the executor, start the project's private Docker engine, and run one real task through
# the executor (via executor.sh, as Mesos would) against a simulated Mesos agent and a simulated Sidecar:
# a busybox web server with a port mapping, its status updates, the service answering, a kill, TASK_KILLED.
set -euo pipefail
cd "$(dirname "$0")/.."

# The executor as deployed (release); the driver is only the simulated agent and Sidecar, so a debug build does. The
# flags are scripts/test.sh's, so that after it (the demo is its smoke test) both builds are already up to date.
echo "==> building the executor (release) and the demo driver"
swift build -c release -Xswiftc -warnings-as-errors --product sidecar-executor 2>&1 | tail -n 1
swift build -Xswiftc -warnings-as-errors --product Demo 2>&1 | tail -n 1

export ENGINE_DIR=${ENGINE_DIR:-/tmp/sidecar-executor-engine}
if scripts/docker-engine.sh status; then
  echo "==> using the private Docker engine that is already running"
else
  echo "==> starting the project's private Docker engine (installs Debian's docker.io on first use)"
  trap 'scripts/docker-engine.sh stop' EXIT
  if ! scripts/docker-engine.sh start; then
    echo "demo: no Docker engine could be started here: $(cat "$ENGINE_DIR/fail-reason" 2>/dev/null || echo unknown reason)" >&2
    exit 1
  fi
fi
set -a
# shellcheck disable=SC1091
. "$ENGINE_DIR/env"
set +a

SIDECAR_EXECUTOR_PATH="$PWD/.build/release/sidecar-executor" .build/debug/Demo
