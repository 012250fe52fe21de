#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs the main job.
# Exits with the main job's exit code.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

bash scripts/setup.sh

# The main job. For now: check the shipped rules, run their tests and compile them (exit 0
# clean, 1 errors or failing tests, 2 usage or I/O). When the runtime lands, the server is
# started here on the compiled rules.
echo "==> running: switchyard check rules/"
build/cli/switchyard check rules/
echo "==> running: switchyard test rules/"
build/cli/switchyard test rules/
echo "==> running: switchyard compile rules/ -o build/planfix.swy"
exec build/cli/switchyard compile rules/ -o build/planfix.swy
