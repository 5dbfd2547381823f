#!/usr/bin/env bash
# libFuzzer runs of the executor's parsers: each target in Fuzz/Targets is built with -sanitize=fuzzer,address
# against the EventLoop and Executor sources (as static libraries) and run for a bounded time from its seed corpus
# in Fuzz/Corpus/<target>. Any crash, sanitizer report, leak or broken invariant fails the script; the input is kept
# in .build-fuzz/artifacts/ (copy it into the corpus with the fix, and add a regression test).
#
#   scripts/fuzz.sh                  build and run every target for FUZZ_RUNS inputs (default 200000) from a fixed
#                                    seed: the same commit always explores the same inputs, so the run CI makes is
#                                    reproducible and a finding in it replays on any machine
#   scripts/fuzz.sh JSONFuzz ...     only these targets
#   FUZZ_SECONDS=300 scripts/fuzz.sh a hunt: 300 s per target from a random seed (its findings are bugs to fix,
#                                    with the input added to the corpus and a regression test)
#
# New inputs the fuzzer finds go to a scratch copy of the corpus, never into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

# The targets are not under Sources or Tests, so the project's format check does not see them: check them here.
swift format lint --strict --recursive Fuzz

if [ -n "${FUZZ_SECONDS:-}" ]; then
  budget=(-max_total_time="$FUZZ_SECONDS")
  budget_text="for $FUZZ_SECONDS s from a random seed"
else
  budget=(-runs="${FUZZ_RUNS:-200000}" -seed=1)
  budget_text="for ${FUZZ_RUNS:-200000} inputs from seed 1"
fi
out=.build-fuzz
mkdir -p "$out/artifacts"
# -sanitize=fuzzer instruments for coverage when compiling and links libFuzzer's main only into the executables.
# -package-name: the modules share `package` declarations, as they do in the SwiftPM build.
flags=(-O -g "-sanitize=fuzzer,address" -parse-as-library -swift-version 6 -warnings-as-errors
  -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility -package-name sidecar_executor)

mapfile -t eventloop_sources < <(find Sources/EventLoop -name '*.swift' | sort)
mapfile -t executor_sources < <(find Sources/Executor -name '*.swift' ! -name main.swift | sort)
# Compiled into each target: its shared code, and the tests' seeded generator (Sources/TestSupport, no imports).
mapfile -t support_sources < <(find Fuzz/Support Sources/TestSupport -name '*.swift' | sort)

# ld.gold warns about every ASan runtime symbol it cannot export; nothing else of the link is hidden.
quiet_link() { "$@" 2>&1 | { grep -v "Cannot export local symbol '__asan" || true; }; return "${PIPESTATUS[0]}"; }

newer_than() { # $1 = output; true when any later argument is newer or the output is missing
  local output=$1
  shift
  [ -e "$output" ] || return 0
  for source in "$@"; do [ "$source" -nt "$output" ] && return 0; done
  return 1
}

started=$(date +%s)
if newer_than "$out/libEventLoop.a" "${eventloop_sources[@]}"; then
  echo "fuzz: building EventLoop (instrumented)"
  swiftc "${flags[@]}" -wmo -module-name EventLoop -emit-module -emit-module-path "$out/EventLoop.swiftmodule" \
    -emit-library -static -o "$out/libEventLoop.a" "${eventloop_sources[@]}"
fi
if newer_than "$out/libExecutor.a" "$out/libEventLoop.a" "${executor_sources[@]}"; then
  echo "fuzz: building Executor (instrumented, testable, without main.swift)"
  swiftc "${flags[@]}" -enable-testing -wmo -module-name Executor -I "$out" \
    -emit-module -emit-module-path "$out/Executor.swiftmodule" \
    -emit-library -static -o "$out/libExecutor.a" "${executor_sources[@]}"
fi

if [ $# -gt 0 ]; then targets=("$@"); else
  mapfile -t targets < <(find Fuzz/Targets -name '*.swift' -exec basename {} .swift \; | sort)
fi
for target in "${targets[@]}"; do
  if newer_than "$out/$target" "$out/libExecutor.a" "${support_sources[@]}" "Fuzz/Targets/$target.swift"; then
    echo "fuzz: building $target"
    quiet_link swiftc "${flags[@]}" -module-name "$target" -I "$out" -L "$out" -lExecutor -lEventLoop \
      -o "$out/$target" "${support_sources[@]}" "Fuzz/Targets/$target.swift"
  fi
done
built=$(date +%s)
echo "fuzz: built in $((built - started)) s"

failed=()
for target in "${targets[@]}"; do
  corpus=Fuzz/Corpus/$target
  [ -d "$corpus" ] || { echo "fuzz: $corpus is missing (every target needs a seed corpus)" >&2; exit 1; }
  scratch=$out/corpus/$target
  rm -rf "$scratch"
  mkdir -p "$scratch"
  dictionary=()
  [ -f "Fuzz/Dictionaries/$target.dict" ] && dictionary=(-dict="Fuzz/Dictionaries/$target.dict")
  echo "fuzz: $target $budget_text, corpus of $(find "$corpus" -type f | wc -l) inputs"
  # The Swift backtracer would spend many seconds symbolicating each crash; libFuzzer and ASan report it already.
  if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 "$out/$target" "$scratch" "$corpus" \
    "${budget[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$target-" "${dictionary[@]}" > "$out/$target.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::new_units_added|^#[0-9]+.*DONE' "$out/$target.log" | tr '\n' ' '
    echo
  else
    echo "fuzz: $target FAILED; its log:" >&2
    tail -n 40 "$out/$target.log" >&2
    failed+=("$target")
  fi
done
echo "fuzz: ran in $(($(date +%s) - built)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failing targets: ${failed[*]} (inputs in $out/artifacts/)" >&2
  exit 1
fi
