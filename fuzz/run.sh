#!/usr/bin/env bash
# Builds a fuzzer with clang into build-fuzz/ and runs it for SECONDS (default 60).
#   parser: seeded with every shipped and test rule file;
#   loader: seeded with the compiled shipped rules and each rule file compiled alone.
# Crashes land in build-fuzz/artifacts-TARGET/.
# Usage: fuzz/run.sh [parser|loader] [SECONDS]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

target="parser"
if [[ "${1:-}" == "parser" || "${1:-}" == "loader" ]]; then
    target="$1"
    shift
fi
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
    echo "usage: fuzz/run.sh [parser|loader] [SECONDS]" >&2
    exit 2
fi

build="build-fuzz"
corpus="$build/corpus-$target"
artifacts="$build/artifacts-$target"

echo "==> configuring $build/ (clang, sanitizers)"
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSWITCHYARD_FUZZ=ON -DSWITCHYARD_TESTS=OFF -DSWITCHYARD_BENCH=OFF >/dev/null
echo "==> building switchyard_${target}_fuzz"
cmake --build "$build" --target "switchyard_${target}_fuzz" switchyard

echo "==> seeding $corpus/"
mkdir -p "$corpus" "$artifacts"
seeds=0
if [[ "$target" == "parser" ]]; then
    while IFS= read -r -d '' f; do
        # Named by content, so that reseeding adds nothing twice.
        cp "$f" "$corpus/seed-$(sha1sum "$f" | cut -c1-16)"
        seeds=$((seeds + 1))
    done < <(find rules tests -type f -name '*.rules' -print0 2>/dev/null || true)
else
    for f in rules rules/*.rules; do
        out="$build/seed.swy"
        if "$build/cli/switchyard" compile "$f" -o "$out" >/dev/null 2>&1; then
            cp "$out" "$corpus/seed-$(sha1sum "$out" | cut -c1-16)"
            seeds=$((seeds + 1))
        fi
    done
fi
echo "    $seeds seed files"

echo "==> fuzzing for $seconds s"
status=0
# UBSan reports would otherwise only print and go on: make them crashes libFuzzer keeps.
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
    "$build/fuzz/switchyard_${target}_fuzz" "$corpus" \
    -max_total_time="$seconds" $([[ "$target" == "parser" ]] && echo -dict=fuzz/dict.txt) -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" || status=$?

if ((status != 0)); then
    echo "==> the fuzzer stopped with status $status: see the input in $artifacts/" >&2
fi
exit "$status"
