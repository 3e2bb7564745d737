#!/usr/bin/env bash
# The README's first command: installs Open MPI when missing, builds taskfarm in release
# mode, and runs the bundled pendulum sweep under mpirun on Hostfiles/localhost, then
# checks the combined result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
Scripts/install-dependencies.sh
swift build -c release --product taskfarm
. Scripts/mpi-env.sh
Examples/pendulum-sweep/run.sh 4
