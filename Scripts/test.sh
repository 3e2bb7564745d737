#!/usr/bin/env bash
# The README's second command: builds everything (the taskfarm binary and the example
# programs the end-to-end tests start under mpirun), then runs every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
Scripts/install-dependencies.sh
. Scripts/mpi-env.sh
swift build --build-tests
# A bound on the whole suite (TASKFARM_TEST_TIMEOUT seconds, default 40 min; it takes about
# 5): a hang fails here with a message instead of running into CI's limit.
status=0
timeout --kill-after=30 "${TASKFARM_TEST_TIMEOUT:-2400}" swift test --skip-build "$@" || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "test.sh: the tests did not finish within ${TASKFARM_TEST_TIMEOUT:-2400} s and were stopped" >&2
fi
exit "$status"
