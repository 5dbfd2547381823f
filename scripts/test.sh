#!/usr/bin/env bash
# The project's test commands (README, .ci/run). Each step prints its time, and the total at the end.
#
#   scripts/test.sh [SWIFT TEST ARGS...]   format and shell checks, the debug and release builds, every unit and
#                                          end-to-end test (against the release binary), the demo as a smoke test
#   scripts/test.sh --reliability          the engine-restart test, fuzzing, and the suite under ASan and TSan (CI
#                                          runs it after the test command)
#   scripts/test.sh --sanitizers           only the suite under ASan and TSan (the last step of --reliability)
#
# Nothing is forgiven: a failing test fails the run, and is never run again to see whether it passes alone. Suites
# that need a peer from outside the test process (the private Docker engine, the release binary) are required here
# (SIDECAR_TEST_REQUIRE_*=1, see Tests/ExecutorTests/Support/TestPeer.swift): a bare `swift test` skips them with a
# reason, this script fails when the peer is missing. On a fresh machine it installs and starts what the tests need
# (the private Docker engine) and stops it again, by PID, on every exit path.
#
# A new step is a function and one `step "name" function` line in the list at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="test"
case "${1:-}" in
  --reliability | --sanitizers)
    mode=${1#--}
    shift
    ;;
esac

run_started=$SECONDS
current_step=""
step() { # NAME COMMAND...: runs one step, then prints how long it took
  local name=$1 started=$SECONDS
  shift
  current_step=$name
  printf '\n==> %s\n' "$name"
  "$@"
  printf '==> %s (took %d s)\n' "$name" $((SECONDS - started))
  current_step=""
}

engine_started=0
mesos_started=0
finish() {
  local status=$?
  [ "$mesos_started" = 1 ] && scripts/mesos-agent.sh stop
  [ "$engine_started" = 1 ] && scripts/docker-engine.sh stop
  if [ "$status" -ne 0 ] && [ -n "$current_step" ]; then
    printf '\n==> FAILED in step: %s\n' "$current_step" >&2
  fi
  printf '==> scripts/test.sh%s: %s after %d s in all\n' "$([ "$mode" = test ] || echo " --$mode")" \
    "$([ "$status" -eq 0 ] && echo passed || echo FAILED)" $((SECONDS - run_started))
  exit "$status"
}
trap finish EXIT

# What makes the suites that need a peer required instead of skipped.
export SIDECAR_TEST_REQUIRE_DOCKER=1 SIDECAR_TEST_REQUIRE_RELEASE_BINARY=1 SIDECAR_TEST_REQUIRE_MESOS=1

format_check() {
  swift format lint --strict --recursive --parallel Package.swift Sources Tests Benchmarks Demo Fuzz ExecutorProcessSupport
}

shell_check() {
  if ! command -v shellcheck >/dev/null; then
    { apt-get -o DPkg::Lock::Timeout=300 update -qq &&
      apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends shellcheck; } >/dev/null 2>&1 || true
  fi
  bash -n executor.sh
  if command -v shellcheck >/dev/null; then
    shellcheck executor.sh scripts/*.sh .ci/run
  else
    echo "shellcheck is not available from apt here; only the syntax was checked"
  fi
}

debug_build() {
  swift build --build-tests -Xswiftc -warnings-as-errors
}

# The binary executor.sh deploys; every test that runs the executor as a process runs this one.
release_build() {
  swift build -c release -Xswiftc -warnings-as-errors --product sidecar-executor
  if grep -rlE '^\s*(@_exported\s+)?(public\s+|internal\s+)?import\s+(Foundation|FoundationEssentials)\b' Sources; then
    echo "error: the files above import Foundation; nothing under Sources/ may (the demo and benchmarks live outside)" >&2
    return 1
  fi
}

start_engine() {
  export ENGINE_DIR=${ENGINE_DIR:-/tmp/sidecar-executor-engine}
  export ENGINE_REGISTRY=${ENGINE_REGISTRY:-1}
  # The TLS tests' CA and certificates; the engine also listens with --tlsverify on 127.0.0.1 with them.
  scripts/make-test-certs.sh "$PWD/.build/test-certs"
  export ENGINE_TLS_CERTS=${ENGINE_TLS_CERTS:-$PWD/.build/test-certs}
  engine_started=1
  scripts/docker-engine.sh start
  set -a
  # shellcheck disable=SC1091
  . "$ENGINE_DIR/env"
  set +a
}

# The real Mesos 1.11.0 master and agent of ../shared/mesos, for Tests/ExecutorTests/RealMesos.
start_mesos() {
  export MESOS_TEST_DIR=${MESOS_TEST_DIR:-/tmp/sidecar-executor-mesos}
  mesos_started=1
  scripts/mesos-agent.sh start
  set -a
  # shellcheck disable=SC1091
  . "$MESOS_TEST_DIR/env"
  set +a
}

unit_and_end_to_end_tests() {
  swift test --skip-build "$@"
}

demo_smoke_test() {
  local demo_log
  demo_log=$(mktemp)
  scripts/demo.sh 2>&1 | tee "$demo_log"
  for expected in TASK_RUNNING TASK_KILLED "demo finished"; do
    grep -q "$expected" "$demo_log" || { echo "error: the demo's output lacks $expected" >&2; return 1; }
  done
  rm -f "$demo_log"
}

# Alone: it restarts the engine that every other end-to-end test uses.
engine_restart_test() {
  SIDECAR_TEST_ENGINE_RESTART=1 swift test --skip-build \
    --filter 'ReliabilityDockerEngineTests/anEngineRestartWhileTheTaskRunsIsRiddenOutWithItsWaitAndLogs'
}

if [ "$mode" = test ]; then
  step "format: swift format lint --strict" format_check
  step "shell: syntax and shellcheck" shell_check
  step "build: debug with tests, warnings are errors" debug_build
  step "build: release binary (what executor.sh deploys and the tests run)" release_build
  step "docker: start the project's private engine" start_engine
  step "mesos: start the real Mesos master and agent" start_mesos
  step "test: every unit, end-to-end and real-agent test" unit_and_end_to_end_tests "$@"
  step "demo: smoke test (the README's first command)" demo_smoke_test
elif [ "$mode" = reliability ]; then
  # RELIABILITY.md: what each of these covers, and what they cost.
  step "build: debug with tests, warnings are errors" debug_build
  step "build: release binary" release_build
  step "docker: start the project's private engine" start_engine
  step "reliability: engine restart under a running task" engine_restart_test
  step "reliability: fuzzing (scripts/fuzz.sh)" scripts/fuzz.sh
  step "sanitizers: the suite under ASan and TSan (scripts/sanitizers.sh)" scripts/sanitizers.sh
else
  # No real Mesos agent: its suites skip under the sanitizers (the header of scripts/sanitizers.sh says why).
  step "docker: start the project's private engine" start_engine
  step "sanitizers: the suite under ASan and TSan (scripts/sanitizers.sh)" scripts/sanitizers.sh
fi
