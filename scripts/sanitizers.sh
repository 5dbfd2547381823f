#!/usr/bin/env bash
# The test suite under AddressSanitizer and ThreadSanitizer, each in its own scratch path (.build-asan, .build-tsan)
# so the normal build is not clobbered. Any sanitizer report fails the run (ASan aborts at once; TSan exits 66 at the
# end, after printing every race), and so does any failing test: nothing is run again. The tests that run the executor
# as a process run the release binary built with the same sanitizer in the same scratch path. The Docker end-to-end
# tests run too: DOCKER_HOST must name a running engine (as `scripts/test.sh --reliability` provides). CI runs this
# script as the last step of `scripts/test.sh --reliability` (`.ci/run`).
#
#   scripts/sanitizers.sh            both
#   scripts/sanitizers.sh address    or: thread
#
# What is left out, and why (the plain run covers all of it):
# - both: the suites against the real Mesos agent (Tests/ExecutorTests/RealMesos). They skip with their printed
#   reason: this script does not start the agent (it listens on the fixed ports 5050/5051, which the test command
#   has just used and stopped) and does not require it. Their subject is the wire with a real Mesos 1.11.0; the
#   executor's code they run is the code the simulated agent's suites run here under both sanitizers.
# - both: leak detection. LeakSanitizer cannot see references Swift keeps in enum payloads with spare bits (it
#   reports one-time-initialized globals as leaked) and the test harnesses keep reference cycles on purpose (loops,
#   simulators, recorders live for the whole run); every report we examined was one of the two. The fuzz targets
#   do check for leaks (scripts/fuzz.sh): there each input must free what it allocated.
# - thread: the one test whose subject is timing, which TSan's 5-15x slowdown changes: an 11 MB echo that must not
#   fit the socket buffers at once (under TSan the peer drains as fast as the instrumented writer writes, and the
#   failure message then diffs two 10 MB arrays for hours). The three tests of 10 MB of Sidecar garbage, skipped here
#   before, run: since the simulator doubles a pattern instead of building the 10 MB byte by byte, they pass under
#   TSan on a loaded 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
# The real-agent suites skip here (see above), even when the caller (scripts/test.sh) requires them elsewhere.
unset SIDECAR_TEST_REQUIRE_MESOS

run() { # $1 = address | thread
  local sanitizer=$1 scratch skip=() options started built
  scratch=.build-$([ "$sanitizer" = address ] && echo asan || echo tsan)
  if [ "$sanitizer" = thread ]; then
    skip=(--skip 'StreamSocketDataTests/echoesTenMegabytesInOrderAndTheWriteSourceGoesIdle')
    echo "sanitizers: thread: skipping StreamSocketDataTests/echoesTenMegabytesInOrderAndTheWriteSourceGoesIdle," \
      "whose subject is timing (see the header of $0)"
    # Suppressions: see the file for each entry's reason.
    options="TSAN_OPTIONS=suppressions=$PWD/scripts/tsan-suppressions.txt:history_size=4"
  else
    options="ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"
  fi
  started=$(date +%s)
  # `|| return 1`: run is called inside `&&`, where errexit does not apply.
  swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" 2>&1 | tail -n 3 || return 1
  swift build -c release --sanitize="$sanitizer" --scratch-path "$scratch" --product sidecar-executor 2>&1 |
    tail -n 3 || return 1
  built=$(date +%s)
  echo "sanitizers: $sanitizer: built in $((built - started)) s"
  local log=$scratch/test.log
  if env "$options" SWIFT_BACKTRACE=enable=no \
    swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "${skip[@]}" > "$log" 2>&1; then
    grep -E '^✔ Test run with' "$log" || true
  else
    echo "sanitizers: $sanitizer: the run FAILED; what it reported (full log: $log):" >&2
    grep -E -A 30 'WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$log" | head -n 120 >&2 || true
    grep -E '^✘ |recorded an issue|Fatal error|Crash|error:' "$log" | head -n 60 | cut -c1-400 >&2 || true
    tail -n 5 "$log" >&2
    return 1
  fi
  echo "sanitizers: $sanitizer: tests ran in $(($(date +%s) - built)) s"
}

case "${1:-all}" in
  address | thread) run "$1" ;;
  all) run address && run thread ;;
  *) echo "usage: $0 [address|thread]" >&2; exit 2 ;;
esac
