#!/usr/bin/env bash
# The client side: submits work to a running farm through its connection file, waits,
# checks the answer, and shuts the farm down. Run it from any shell on a node that sees
# this folder, once `taskfarm serve` has written taskfarm.connection.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
taskfarm=${TASKFARM:-$root/.build/release/taskfarm}
cd "$here"
count=${COUNT:-40}

# One array of tasks from a task list: the Collatz stopping times of 1..count.
seq 1 "$count" | sed 's|^|./collatz.sh |' > tasks.txt
ids=$("$taskfarm" submit --file tasks.txt)
echo "submitted tasks $ids"

# A final step held until every one of them succeeds (PBS afterok).
combine=$("$taskfarm" submit --after "$ids" --name combine -- \
  'cat results/*.txt | sort -n > results/all.txt')
echo "submitted combine as task $combine"

"$taskfarm" status --connect taskfarm.connection
"$taskfarm" wait "$combine"

# Check every answer against the same computation done here, one by one.
expected=$(for n in $(seq 1 "$count"); do
  m=$n; s=0
  while [ "$m" -ne 1 ]; do
    if [ $((m % 2)) -eq 0 ]; then m=$((m / 2)); else m=$((3 * m + 1)); fi
    s=$((s + 1))
  done
  echo "$n $s"
done)
if [ "$expected" = "$(cat results/all.txt)" ]; then
  echo "queue check passed: $count stopping times agree"
else
  echo "queue check FAILED: results/all.txt differs from the expected stopping times" >&2
  "$taskfarm" shutdown
  exit 1
fi
"$taskfarm" shutdown
