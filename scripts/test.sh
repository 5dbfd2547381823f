#!/usr/bin/env bash
# The project's test command (README, .ci/run): formatting, a warnings-as-errors build, then every test.
# On a fresh machine it installs and starts what the tests need (the private Docker engine) and stops it
# again, by PID, on every exit path.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/retry-failed-tests.sh
. scripts/retry-failed-tests.sh

step() { printf '\n==> %s\n' "$*"; }

step "format: swift format lint --strict"
swift format lint --strict --recursive --parallel Package.swift Sources Tests Benchmarks Demo Fuzz ExecutorProcessSupport

step "shell: syntax and shellcheck"
if ! command -v shellcheck >/dev/null; then
  { apt-get -o DPkg::Lock::Timeout=300 update -qq &&
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends shellcheck; } >/dev/null 2>&1 || true
fi
sh -n executor.sh
if command -v shellcheck >/dev/null; then
  shellcheck executor.sh scripts/*.sh .ci/run
else
  echo "shellcheck is not available from apt here; only the syntax was checked"
fi

step "build: warnings are errors"
swift build --build-tests -Xswiftc -warnings-as-errors

step "build: release binary"
swift build -c release -Xswiftc -warnings-as-errors --product sidecar-executor
if grep -rlE '^\s*(@_exported\s+)?(public\s+|internal\s+)?import\s+(Foundation|FoundationEssentials)\b' Sources; then
  echo "error: the files above import Foundation; nothing under Sources/ may (the demo and benchmarks live outside)" >&2
  exit 1
fi

step "docker: start the project's private engine (end-to-end tests need it; they fail, not skip, without it)"
export ENGINE_DIR=${ENGINE_DIR:-/tmp/sidecar-executor-engine}
export ENGINE_REGISTRY=${ENGINE_REGISTRY:-1}
# The TLS tests' CA and certificates; the engine also listens with --tlsverify on 127.0.0.1 with them.
scripts/make-test-certs.sh "$PWD/.build/test-certs"
export ENGINE_TLS_CERTS=${ENGINE_TLS_CERTS:-$PWD/.build/test-certs}
trap 'scripts/docker-engine.sh stop' EXIT
scripts/docker-engine.sh start
set -a
# shellcheck disable=SC1091
. "$ENGINE_DIR/env"
set +a

step "test"
# A failed test is run once more alone and named as FLAKY if it passes then (scripts/retry-failed-tests.sh).
test_log=$(mktemp)
if ! swift test -Xswiftc -warnings-as-errors "$@" 2>&1 | tee "$test_log"; then
  retry_failed_tests "test" "$test_log" swift test -Xswiftc -warnings-as-errors --skip-build
fi
rm -f "$test_log" "$test_log.retry"

step "demo smoke test (the README's first command)"
demo_log=$(mktemp)
scripts/demo.sh 2>&1 | tee "$demo_log"
for expected in TASK_RUNNING TASK_KILLED "demo finished"; do
  grep -q "$expected" "$demo_log" || { echo "error: the demo's output lacks $expected" >&2; exit 1; }
done
rm -f "$demo_log"

# ---- reliability (RELIABILITY.md; scripts/fuzz.sh, scripts/sanitizers.sh) -----------------------------------------
step "reliability: engine restart under a running task, fuzzing, the suite under ASan and TSan"
reliability_started=$SECONDS
# Alone, after every other test: it restarts the engine the other end-to-end tests use.
SIDECAR_TEST_ENGINE_RESTART=1 swift test -Xswiftc -warnings-as-errors --skip-build \
  --filter 'ReliabilityDockerEngineTests/anEngineRestartWhileTheTaskRunsIsRiddenOutWithItsWaitAndLogs'
echo "reliability: engine restart took $((SECONDS - reliability_started)) s"
scripts/fuzz.sh
scripts/sanitizers.sh
echo "reliability: the whole step took $((SECONDS - reliability_started)) s"
# ---- end of reliability ----------------------------------------------------------------------------------------
