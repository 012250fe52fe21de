#!/usr/bin/env bash
# Runs the policy benchmarks back to back, in one run, and prints ns per event and the ratios:
# the VM (BM_VM), the hand-written C++ (BM_Native), Lua 5.4 and LuaJIT (interpreter and JIT).
# Usage: bench/run_policies.sh [BUILD_DIR]   (default: build; SWITCHYARD_BENCH_EVENTS sets the mix size)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
build="${1:-build}"
ninja -C "$build" switchyard_bench switchyard_bench_lua54 switchyard_bench_luajit >/dev/null

repetitions=5
run() {  # run BINARY FILTER: prints "name ns_per_event" for the median of each benchmark
    "$build/bench/$1" --benchmark_filter="$2" --benchmark_repetitions=$repetitions \
        --benchmark_min_time=0.5 --benchmark_report_aggregates_only=true --benchmark_format=csv 2>/dev/null |
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "\"per_event\"" || $i == "per_event") col = i; next }
                 $1 ~ /_median"?$/ { name = $1; gsub(/"|_median/, "", name); printf "%s %.1f\n", name, $col * 1e9 }'
}

results="$( { run switchyard_bench 'BM_Native|BM_VM'; run switchyard_bench_lua54 'BM_Lua54'; run switchyard_bench_luajit 'BM_LuaJIT'; } )"
native="$(awk '$1 == "BM_Native" { print $2 }' <<<"$results")"
echo "median of $repetitions repetitions, ${SWITCHYARD_BENCH_EVENTS:-2000} events"
printf '%-18s %12s %14s\n' benchmark "ns/event" "x native"
awk -v native="$native" '{ printf "%-18s %12.1f %14.2f\n", $1, $2, $2 / native }' <<<"$results"
