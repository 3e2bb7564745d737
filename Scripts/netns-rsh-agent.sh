#!/bin/sh
# Open MPI's rsh agent for the namespace test cluster (Scripts/netns-cluster.sh). Open MPI
# calls it as `agent [OPTIONS] HOST COMMAND...`, as it would call ssh. COMMAND is a shell
# line that begins `PATH=... ; export PATH ; ...`, so it runs through `sh -c` (an `exec`
# of it would never start the daemon). HOST is a host's address or name.
while [ $# -gt 0 ]; do
  case "$1" in
    -*) shift ;;   # ssh-style options
    *) break ;;
  esac
done
host=$1
shift
case "$host" in
  10.200.0.*) ns=tfnode$(( ${host##*.} - 1 )) ;;
  *) ns=$host ;;
esac
exec ip netns exec "$ns" unshare --uts sh -c "hostname $ns && $*"
