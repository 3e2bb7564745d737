#!/usr/bin/env bash
# Runs taskfarm inside a real one-node Slurm cluster (Slurm from Debian's packages), with the
# README's batch script: the allocation's --signal=B:USR1 makes the farm drain and exit 75,
# and a second job resumes and finishes the work.
#
# usage: Tests/slurm/smoke.sh TASKFARM_BINARY
# Exits 0 on success, 77 when Slurm cannot be installed or started here (a skip), 1 on failure.
set -uo pipefail
taskfarm=${1:?usage: smoke.sh TASKFARM_BINARY}
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

if ! command -v slurmctld >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || skip "Slurm is not installed and we are not root"
  (timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq slurm-wlm munge) \
    </dev/null >/dev/null 2>&1 \
    || skip "cannot install slurm-wlm and munge from Debian's packages"
fi
work=$(mktemp -d /tmp/taskfarm-slurm.XXXXXX)
host=$(hostname)
started_munged=
cleanup() {
  scancel --user=root >/dev/null 2>&1
  pkill -x slurmd; pkill -x slurmctld
  [ -n "$started_munged" ] && pkill -x munged
  sleep 1
}
trap cleanup EXIT

# Starts a daemon with no descriptor beyond 0-2: a daemon that inherits our caller's
# pipes or sockets would keep the caller waiting for their end long after we exit.
detached() {
  ( for fd in /proc/self/fd/*; do
      n=${fd##*/}
      [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"
    done
    exec "$@" </dev/null >/dev/null 2>&1 )
}

mkdir -p /run/munge "$work/state" "$work/spool" "$work/log"
chown munge:munge /run/munge 2>/dev/null
[ -f /etc/munge/munge.key ] || skip "no /etc/munge/munge.key"
if ! pgrep -x munged >/dev/null; then
  detached munged --force || skip "munged does not start"
  started_munged=1
fi
cpus=$(slurmd -C 2>/dev/null | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' | head -1)
mkdir -p /etc/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=taskfarm
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
KillWait=5
SchedulerParameters=sched_interval=1
NodeName=$host CPUs=${cpus:-2} State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
pkill -x slurmd; pkill -x slurmctld; sleep 0.5
detached slurmctld -c || skip "slurmctld does not start"
detached slurmd -c || skip "slurmd does not start"
for _ in $(seq 30); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %t | grep -q idle || skip "the Slurm node never became idle: $(sinfo 2>&1)"

cd "$work"
# 45 s of work on 2 workers: slurmctld sends the signal on its own timer, which on a
# loaded machine came after 30 s (all done, nothing to drain).
for i in $(seq 0 29); do echo "sleep 3; echo $i >> ran.log"; done > sweep.txt
cat > job.sh <<JOB
#!/bin/bash
#SBATCH -n 2
#SBATCH --time=1
#SBATCH --signal=B:USR1@55
#SBATCH -o job-%j.out
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpirun -np 4 $taskfarm run sweep.txt &
pid=\$!
trap 'kill -USR1 \$pid' USR1
while :; do
  wait \$pid; status=\$?
  kill -0 \$pid 2>/dev/null || break
done
echo "farm exit \$status"
exit \$status
JOB
job=$(sbatch --parsable job.sh) || fail "sbatch refused the job"
for _ in $(seq 120); do squeue -h -j "$job" 2>/dev/null | grep -q . || break; sleep 1; done
out=$(cat "job-$job.out" 2>/dev/null)
echo "$out" | grep -q "farm exit 75" || fail "the drained farm did not exit 75: $out"
done_first=$(sort -u ran.log | wc -l)
[ "$done_first" -gt 0 ] && [ "$done_first" -lt 30 ] || fail "expected part of the work in the first allocation, got $done_first"
grep -q '"exitStatus": 75' sweep.txt.taskfarm/verdict.json || fail "verdict: $(cat sweep.txt.taskfarm/verdict.json)"

sed -i 's/--signal=B:USR1@55/--signal=B:USR1@5/; s/--time=1/--time=5/' job.sh
job=$(sbatch --parsable job.sh) || fail "sbatch refused the resume"
for _ in $(seq 240); do squeue -h -j "$job" 2>/dev/null | grep -q . || break; sleep 1; done
out=$(cat "job-$job.out" 2>/dev/null)
echo "$out" | grep -q "farm exit 0" || fail "the resumed farm did not finish: $out"
[ "$(sort -u ran.log | wc -l)" -eq 30 ] || fail "not every task ran: $(sort -u ran.log | wc -l)"
# srun instead of mpirun: which of the MPI plugins Debian's Slurm offers (srun --mpi=list)
# start the farm with Debian's Open MPI. Reported, not required (docs/failures.md).
for i in 0 1 2 3 4; do echo "echo $i >> srun.log"; done > small.txt
for plugin in pmix pmi2 none; do
  rm -rf small.txt.taskfarm srun.log
  if OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 60 \
       srun -n 3 --overcommit --mpi=$plugin "$taskfarm" run small.txt >"srun-$plugin.out" 2>&1 \
     && [ "$(sort -u srun.log 2>/dev/null | wc -l)" -eq 5 ]; then
    echo "srun --mpi=$plugin: works"
  else
    echo "srun --mpi=$plugin: does not start the farm: $(grep -v '^$' "srun-$plugin.out" | head -3 | tr '\n' ' ')"
  fi
done
echo "PASS: drained at the allocation's signal with $done_first of 30 done, resumed to 30"
