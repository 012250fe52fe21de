#!/usr/bin/env bash
# Builds the parser fuzzer with clang into build-fuzz/ and runs it for SECONDS (default 60),
# seeded with every shipped and test rule file. Crashes land in build-fuzz/artifacts/.
# Usage: fuzz/run.sh [SECONDS]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
    echo "usage: fuzz/run.sh [SECONDS]" >&2
    exit 2
fi

build="build-fuzz"
corpus="$build/corpus"
artifacts="$build/artifacts"

echo "==> configuring $build/ (clang, sanitizers)"
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSWITCHYARD_FUZZ=ON -DSWITCHYARD_TESTS=OFF -DSWITCHYARD_BENCH=OFF >/dev/null
echo "==> building switchyard_parser_fuzz"
cmake --build "$build" --target switchyard_parser_fuzz

echo "==> seeding $corpus/"
mkdir -p "$corpus" "$artifacts"
seeds=0
while IFS= read -r -d '' f; do
    # Named by content, so that reseeding adds nothing twice.
    cp "$f" "$corpus/seed-$(sha1sum "$f" | cut -c1-16)"
    seeds=$((seeds + 1))
done < <(find rules tests -type f -name '*.rules' -print0 2>/dev/null || true)
echo "    $seeds seed files"

echo "==> fuzzing for $seconds s"
status=0
# UBSan reports would otherwise only print and go on: make them crashes libFuzzer keeps.
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
    "$build/fuzz/switchyard_parser_fuzz" "$corpus" \
    -max_total_time="$seconds" -dict=fuzz/dict.txt -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" || status=$?

if ((status != 0)); then
    echo "==> the fuzzer stopped with status $status: see the input in $artifacts/" >&2
fi
exit "$status"
