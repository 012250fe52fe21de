#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs the main job.
# Exits with the main job's exit code.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

bash scripts/setup.sh

# The main job: the webhook server on the bundled configuration (config/switchyard.toml):
# the shipped rules compiled at start, the embedded SQLite database in config/var/, listening
# on 127.0.0.1:8080. Stop it with Ctrl-C; `kill -HUP` reloads the rules.
echo "==> running: switchyard serve --config config/switchyard.toml"
exec build/cli/switchyard serve --config config/switchyard.toml
