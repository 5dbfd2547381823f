#!/usr/bin/env bash
# Sourced by scripts/test.sh and scripts/sanitizers.sh: what to do when a test run failed.
#
#   retry_failed_tests LABEL LOG COMMAND...
#
# LOG holds the failed run's output; COMMAND is the `swift test ...` that produced it (with --skip-build). The failed
# tests are listed, with the issues they recorded, at the end of the output (where a CI log's tail shows them), then
# run once more on their own. Passing alone, they are named as FLAKY and the run goes on; failing again, or a failure
# that names no test (a crash, a build error), or more than three failed tests (a real breakage, not a timing
# accident on a busy machine), fail the run.
retry_failed_tests() {
  local label=$1 log=$2 failed count retry_log
  shift 2
  failed=$(grep -oE '^✘ Test [A-Za-z0-9_]+\(' "$log" | sed -E 's/^✘ Test //; s/\($//' | sort -u | paste -sd '|' -)
  echo "$label: the run failed; what it reported:" >&2
  grep -E '^✘ |recorded an issue|Fatal error|Crash|error:' "$log" | head -n 40 | cut -c1-400 >&2
  if [ -z "$failed" ]; then
    echo "$label: the run failed without naming a failing test (last lines above)" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
  count=$(tr '|' '\n' <<< "$failed" | wc -l)
  if [ "$count" -gt 3 ]; then
    echo "$label: $count tests failed ($failed): not retried" >&2
    return 1
  fi
  retry_log="$log.retry"
  echo "$label: running $failed once more, alone" >&2
  if "$@" --filter "$failed" > "$retry_log" 2>&1; then
    echo "$label: FLAKY (failed in the full run, passed alone): $failed"
  else
    echo "$label: FAILED again:" >&2
    grep -E '^✘ |recorded an issue|Fatal error' "$retry_log" | head -n 40 | cut -c1-400 >&2
    return 1
  fi
}
