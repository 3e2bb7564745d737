#!/usr/bin/env bash
# Serves a task queue under mpirun, runs client.sh against it, and waits for the farm to end.
# usage: Examples/queue/run.sh [RANKS]   (default 4: broker, name server, 2 workers)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ranks=${1:-4}
export TASKFARM=${TASKFARM:-$root/.build/release/taskfarm}
. "$root/Scripts/mpi-env.sh"
cd "$here"
rm -rf results queue.taskfarm taskfarm.connection tasks.txt
mkdir -p results
mpirun -np "$ranks" --hostfile "$root/Hostfiles/localhost" "$TASKFARM" serve --listen 127.0.0.1 &
farm=$!
for _ in $(seq 300); do [ -f taskfarm.connection ] && break; sleep 0.1; done
[ -f taskfarm.connection ] || { echo "the farm did not start" >&2; kill "$farm"; exit 1; }
status=0
"$here/client.sh" || status=$?
wait "$farm" || status=$?
exit "$status"
