#!/usr/bin/env bash
# Sets up a Debian 12 machine for Switchyard and builds it into build/.
# Idempotent: installs only the packages that are missing, then configures and builds
# (CMake and Ninja redo only what changed; ccache keeps recompiles cheap).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

packages=(
    build-essential cmake ninja-build ccache g++ pkg-config
    clang libclang-rt-14-dev
    tao-pegtl-dev catch2 libtomlplusplus-dev libcli11-dev
    # Boost 1.81 by name: Debian's default libboost-dev is 1.74 and conflicts with it.
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
    libsqlite3-dev libssl-dev libbenchmark-dev liblua5.4-dev libluajit-5.1-dev
    # The time zones rules name are read from it when they are compiled.
    tzdata
    # PostgreSQL, the shared store for several servers (issue 16): libpq to build, the server for
    # the tests, which start one of their own (tests/support/postgres.cpp).
    libpq-dev postgresql-15
    # The admin console (issue 17): its rule editor is Debian's CodeMirror, which `serve` reads from
    # /usr/share/javascript/codemirror; its browser test drives headless Chromium with selenium.
    libjs-codemirror chromium chromium-driver python3-selenium
)

missing=()
for pkg in "${packages[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]} > 0)); then
    echo "==> installing ${missing[*]}"
    as_root=()
    if ((EUID != 0)); then
        if ! command -v sudo >/dev/null; then
            echo "setup.sh: need root (or sudo) to install: ${missing[*]}" >&2
            exit 1
        fi
        as_root=(sudo)
    fi
    "${as_root[@]}" apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "==> packages: all installed"
fi

echo "==> configuring build/ (RelWithDebInfo)"
# Tests and benchmarks on explicitly, so that a build/ configured earlier with them off
# still gets the whole project.
cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSWITCHYARD_TESTS=ON -DSWITCHYARD_BENCH=ON >/dev/null

echo "==> building build/"
cmake --build build
