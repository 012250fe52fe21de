#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs the main job.
# Exits with the main job's exit code.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

bash scripts/setup.sh

# The main job. For now: check the shipped rules (exit 0 clean, 1 errors, 2 usage or I/O).
# When the runtime lands, the server is started here instead, after the same check.
echo "==> running: switchyard check rules/"
exec build/cli/switchyard check rules/
