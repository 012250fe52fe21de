#!/usr/bin/env bash
# Builds the fuzzers with clang into build-fuzz/ and runs them, one after the other, for SECONDS
# each (default 60); what each target feeds and checks is in fuzz/README.md.
#   fuzz/run.sh all 600        every target, 10 minutes each, then a summary table
#   fuzz/run.sh TARGET 600     one of: parser loader telegram wazzup config http
#   fuzz/run.sh 600            the parser, as before there were other targets
# Corpora grow in build-fuzz/corpus-TARGET/ (reseeded every run), crashes land in
# build-fuzz/artifacts-TARGET/, each run's output in build-fuzz/log-TARGET.txt.
# The exit status is non-zero when any target found a crash (or failed to start).
# FUZZ_BUILD_JOBS sets the build's parallelism (default 1: fuzzing shares a small machine).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

all_targets=(parser loader telegram wazzup config http)
usage="usage: fuzz/run.sh [all|parser|loader|telegram|wazzup|config|http] [SECONDS]"

targets=(parser)
if [[ "${1:-}" == "all" ]]; then
    targets=("${all_targets[@]}")
    shift
elif [[ -n "${1:-}" && " ${all_targets[*]} " == *" $1 "* ]]; then
    targets=("$1")
    shift
fi
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
    echo "$usage" >&2
    exit 2
fi

build="build-fuzz"
fixtures="../shared/fixtures"

# --- building -----------------------------------------------------------------------------

echo "==> configuring $build/ (clang, sanitizers)"
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSWITCHYARD_FUZZ=ON -DSWITCHYARD_TESTS=OFF -DSWITCHYARD_BENCH=OFF >/dev/null
build_targets=(switchyard)  # the command line compiles the loader's seeds
for t in "${targets[@]}"; do build_targets+=("switchyard_${t}_fuzz"); done
echo "==> building ${build_targets[*]}"
cmake --build "$build" -j "${FUZZ_BUILD_JOBS:-1}" --target "${build_targets[@]}"

# --- seeding ------------------------------------------------------------------------------

# Copies a file into the corpus, named by content so that reseeding adds nothing twice.
seed_file() {
    cp "$1" "$corpus/seed-$(sha1sum "$1" | cut -c1-16)"
    seeds=$((seeds + 1))
}

# Every raw string literal R"(...)" of the given test sources: the bodies and files the
# hand-written tests feed (some are pieces of one; as seeds they are still good material).
seed_literals() {
    local tmp="$build/seed.tmp"
    while IFS= read -r -d '' literal; do
        printf '%s' "$literal" >"$tmp"
        seed_file "$tmp"
    done < <(perl -0777 -ne 'while (/R"\((.*?)\)"/sg) { print $1, "\0" }' "$@")
}

# A request posting `body_file` to a webhook with the configured credentials of http_fuzz.cpp.
seed_webhook() {
    local path="$1" credential="$2" body_file="$3" tmp="$build/seed.tmp"
    {
        printf 'POST %s HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Type: application/json\r\n' "$path" "$credential"
        printf 'Content-Length: %d\r\n\r\n' "$(wc -c <"$body_file")"
        cat "$body_file"
    } >"$tmp"
    seed_file "$tmp"
}

seed_parser() {
    while IFS= read -r -d '' f; do seed_file "$f"; done < <(find rules tests -type f -name '*.rules' -print0 2>/dev/null || true)
}

seed_loader() {
    for f in rules rules/*.rules; do
        out="$build/seed.swy"
        if "$build/cli/switchyard" compile "$f" -o "$out" >/dev/null 2>&1; then seed_file "$out"; fi
    done
}

seed_telegram() {
    for f in "$fixtures"/telegram_*.json; do if [[ -f "$f" ]]; then seed_file "$f"; fi; done
    seed_literals tests/adapters/telegram_test.cpp
}

seed_wazzup() {
    for f in "$fixtures"/wazzup_*.json; do if [[ -f "$f" ]]; then seed_file "$f"; fi; done
    seed_literals tests/adapters/wazzup_test.cpp
}

seed_config() {
    for f in config/*.toml; do seed_file "$f"; done
    seed_literals tests/config/*.cpp
}

seed_http() {
    for f in fuzz/seeds/http/*; do seed_file "$f"; done
    for f in "$fixtures"/telegram_*.json; do
        if [[ -f "$f" ]]; then seed_webhook /webhooks/tg "X-Telegram-Bot-Api-Secret-Token: fuzz-tg-secret" "$f"; fi
    done
    for f in "$fixtures"/wazzup_*.json; do
        if [[ -f "$f" ]]; then seed_webhook /webhooks/wz "Authorization: Bearer fuzz-wz-crm-key" "$f"; fi
    done
}

# --- running ------------------------------------------------------------------------------

# A libFuzzer statistic from the end of a log, or `?`.
stat_of() { grep -o "^stat::$1: *[0-9]*" "$2" | tail -1 | grep -o '[0-9]*$' || echo '?'; }

declare -A executions exec_per_s coverage outcome elapsed
failed=0

run_target() {
    local target="$1"
    corpus="$build/corpus-$target"
    local artifacts="$build/artifacts-$target" log="$build/log-$target.txt"
    mkdir -p "$corpus" "$artifacts"
    seeds=0
    "seed_$target"
    echo "==> $target: $seeds seed files into $corpus/; fuzzing for $seconds s (output in $log)"

    local options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
                   -artifact_prefix="$artifacts/")
    if [[ "$target" == "parser" ]]; then options+=(-dict=fuzz/dict.txt); fi
    if [[ "$target" == "http" ]]; then options+=(-dict=fuzz/dict-http.txt); fi
    # The HTTP target's store takes a temporary folder: in memory when there is one, since
    # every accepted webhook is a commit.
    local tmpdir="${TMPDIR:-/tmp}"
    if [[ "$target" == "http" && -d /dev/shm && -w /dev/shm ]]; then tmpdir=/dev/shm; fi

    local status=0 started=$SECONDS
    # UBSan reports would otherwise only print and go on: make them crashes libFuzzer keeps.
    TMPDIR="$tmpdir" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
        "$build/fuzz/switchyard_${target}_fuzz" "${options[@]}" "$corpus" >"$log" 2>&1 || status=$?
    elapsed[$target]=$((SECONDS - started))

    executions[$target]="$(stat_of number_of_executed_units "$log")"
    exec_per_s[$target]="$(stat_of average_exec_per_sec "$log")"
    coverage[$target]="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')"
    if ((status == 0)); then
        outcome[$target]="ok"
    else
        outcome[$target]="FAILED (status $status, see $artifacts/)"
        failed=1
        grep -m1 -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|fuzz invariant broken|deadly signal|timeout after' "$log" >&2 || true
    fi
    echo "    $target: ${executions[$target]} executions in ${elapsed[$target]} s," \
         "${exec_per_s[$target]} exec/s, cov ${coverage[$target]}: ${outcome[$target]}"
}

for target in "${targets[@]}"; do run_target "$target"; done

echo
echo "==> summary ($(date -u +%Y-%m-%d), $seconds s per target)"
printf '%-10s %8s %14s %10s %8s  %s\n' target seconds executions exec/s cov result
for target in "${targets[@]}"; do
    printf '%-10s %8s %14s %10s %8s  %s\n' "$target" "${elapsed[$target]}" "${executions[$target]}" \
        "${exec_per_s[$target]}" "${coverage[$target]}" "${outcome[$target]}"
done
exit "$failed"
