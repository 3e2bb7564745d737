#!/usr/bin/env bash
# Runs the pendulum sweep under mpirun, then combines and checks the results.
# usage: Examples/pendulum-sweep/run.sh [RANKS]   (default 4: scheduler, name server, 2 workers)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ranks=${1:-4}
taskfarm=${TASKFARM:-$root/.build/release/taskfarm}
cd "$here"
rm -rf results tasks.txt.taskfarm
mkdir -p results
mpirun -np "$ranks" --hostfile "$root/Hostfiles/localhost" "$taskfarm" run tasks.txt --joblog results/joblog.tsv
python3 combine.py tasks.txt results
