#!/usr/bin/env bash
# Regenerates Linking/executor-order.txt, the section ordering file of the executor's release link.
#
# Why: the page cache maps code into a process in 64 KiB windows around each page it touches ("fault-around"),
# so functions an executor runs that lie scattered across the 7 MB of static standard library, runtime and
# Dispatch make it map most of that text (Rss; BENCHMARKS.md has the figures). Listed first, the executed
# functions lie together and far fewer windows are mapped.
#
# How: runs the density benchmark with two executors under valgrind's callgrind (one task ends by a container
# exit, the other by a KILL, so both paths are covered), and lists every function callgrind saw execute that the
# binary defines, as the `.text.<symbol>` sections -function-sections gives each (our modules; the standard library,
# runtime and Dispatch archives are built that way). Functions missing from the list (new code, rare paths) still
# work; they are merely laid out after the listed ones. Needs the private Docker engine's DOCKER_HOST and valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DOCKER_HOST:?set DOCKER_HOST to the private engine (scripts/docker-engine.sh start, then source its env)}"
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }

swift build -c release --product sidecar-executor 2>&1 | tail -n 1
swift build -c release --product Benchmarks 2>&1 | tail -n 1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
binary="$PWD/.build/release/sidecar-executor"
# executor.sh hard-links this wrapper into each sandbox and execs it, which runs the real binary under callgrind.
cat > "$work/executor" <<WRAPPER
#!/bin/sh
exec valgrind --tool=callgrind --demangle=no --callgrind-out-file=$work/callgrind.%p "$binary" "\$@"
WRAPPER
chmod +x "$work/executor"
.build/release/Benchmarks density --binary "$work/executor" --executors 2 --seconds 15 --settle 2 \
  --json "$work/density.json" > "$work/density.log" || { cat "$work/density.log" >&2; exit 1; }

sed -nE "s/^c?fn=\([0-9]+\) (.*)$/\1/p" "$work"/callgrind.* | sed -E "s/'[0-9]+$//" | sort -u > "$work/executed"
# Every name at the address of an executed function, not only the one callgrind reports: Swift merges identical
# functions (the `Tm` symbols) and thunks, so one body has several names, and its section is named after one of them.
nm --defined-only "$binary" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }' > "$work/defined"
awk 'NR == FNR { executed[$1]; next } ($2 in executed) { print $1 }' "$work/executed" "$work/defined" \
  | sort -u > "$work/addresses"
# First, by pattern, the small helpers that have no symbol for callgrind to name (LLVM's private `.L` functions such as
# closure contexts' destructors) or a name shared by every object (block helpers, `__swift_` metadata helpers): a few
# kilobytes in all, run by most tasks, and otherwise scattered one per object across the text.
printf '%s\n' '.text..L*' '.text.block_*' '.text.__swift_*' > Linking/executor-order.txt
awk 'NR == FNR { hot[$1]; next } ($1 in hot) { print ".text." $2 }' "$work/addresses" "$work/defined" \
  | sort -u >> Linking/executor-order.txt
# SwiftPM does not track the ordering file as an input of the link: remove the binary so that it is linked again.
rm -f "$binary"
swift build -c release --product sidecar-executor 2>&1 | tail -n 1
echo "Linking/executor-order.txt: $(wc -l < Linking/executor-order.txt) functions"
