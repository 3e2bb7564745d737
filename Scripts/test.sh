#!/usr/bin/env bash
# The README's second command: builds everything (the taskfarm binary and the example
# programs the end-to-end tests start under mpirun), then runs every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
Scripts/install-dependencies.sh
. Scripts/mpi-env.sh
swift build --build-tests
swift test --skip-build "$@"
