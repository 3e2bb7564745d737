#!/usr/bin/env bash
# A test cluster on one machine: HOSTS "hosts" in Linux network namespaces on a bridge,
# plus a "login" namespace for clients, for running taskfarm across hosts under a real
# mpirun (Open MPI over TCP, started through an rsh agent). Needs root and iproute2.
#
#   netns-cluster.sh up [HOSTS]       make the cluster (default 3 hosts); replaces leftovers
#   netns-cluster.sh down             remove everything `up` made (safe to repeat)
#   netns-cluster.sh check            exit 0 if a cluster can be made here, else say why (exit 69)
#   netns-cluster.sh hosts            the hosts' names, one a line
#   netns-cluster.sh address NAME     a host's (or `login`'s) address
#   netns-cluster.sh hostfile SLOTS   an Open MPI hostfile: every host by address, SLOTS each
#   netns-cluster.sh mpirun ARGS...   mpirun across the hosts (rank 0 on the first host; NETNS_SLOTS each, default 3)
#   netns-cluster.sh run NAME CMD...  run CMD on host NAME (or `login`), with its hostname and hosts file
#   netns-cluster.sh kill NAME PROG   SIGKILL every process called PROG on host NAME
#   netns-cluster.sh cut NAME         take host NAME's link down (a silent host)
#
# Layout: bridge tfbr0 10.200.0.1/24 in the root namespace; host i is namespace tfnode<i>
# with eth0 10.200.0.<i+1>, its peer tfv<i> on the bridge; the login node is namespace
# tflogin at 10.200.0.200. The addresses are used only inside these namespaces. Each
# namespace gets /etc/netns/NAME/hosts (which `ip netns exec` mounts over /etc/hosts)
# naming every host, and for each host Debian's `127.0.1.1 HOSTNAME` line first, as real
# Debian nodes have, so a program that resolves its own name gets a loopback address.
# The file system is shared, as a cluster's shared file system is.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bridge=tfbr0
prefix=10.200.0
state=/run/taskfarm-netns
login=tflogin
login_address=$prefix.200

hosts() { cat "$state/hosts" 2>/dev/null || true; }
host_address() {
  case "$1" in
    login|"$login") echo "$login_address" ;;
    tfnode*) echo "$prefix.$(( ${1#tfnode} + 1 ))" ;;
    *) echo "netns-cluster: unknown host '$1'" >&2; exit 64 ;;
  esac
}
namespace() { case "$1" in login) echo "$login" ;; *) echo "$1" ;; esac; }

check() {
  [ "$(id -u)" -eq 0 ] || { echo "not root: network namespaces need root"; return 69; }
  command -v ip >/dev/null 2>&1 || { echo "no 'ip' command (install iproute2)"; return 69; }
  command -v unshare >/dev/null 2>&1 || { echo "no 'unshare' command (install util-linux)"; return 69; }
  if ! ip netns add tfprobe$$ 2>/dev/null; then echo "cannot create a network namespace here"; return 69; fi
  ip netns del tfprobe$$ 2>/dev/null || true
  if ! ip link add tfprobe$$ type bridge 2>/dev/null; then echo "cannot create a bridge here"; return 69; fi
  ip link del tfprobe$$ 2>/dev/null || true
}

down() {
  for name in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    case "$name" in
      tfnode*|"$login")
        # Whatever still runs there (orted, ranks) goes with the namespace.
        for pid in $(ip netns pids "$name" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$name" 2>/dev/null || true
        rm -rf "/etc/netns/$name" ;;
    esac
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    case "$link" in tfv*|tfvlogin) ip link del "$link" 2>/dev/null || true ;; esac
  done
  ip link del "$bridge" 2>/dev/null || true
  rm -rf "$state"
}

add_namespace() { # NAME ADDRESS VETH
  local name=$1 address=$2 veth=$3
  ip netns add "$name"
  ip link add "$veth" type veth peer name eth0 netns "$name"
  ip link set "$veth" master "$bridge"
  ip link set "$veth" up
  ip -n "$name" addr add "$address/24" dev eth0
  ip -n "$name" link set eth0 up
  ip -n "$name" link set lo up
}

write_hosts_file() { # NAME
  local name=$1 file=/etc/netns/$1/hosts
  mkdir -p "/etc/netns/$name"
  {
    echo "127.0.0.1 localhost"
    echo "127.0.1.1 $name"
    echo "$login_address $login"
    for host in $(hosts); do echo "$(host_address "$host") $host"; done
  } >"$file"
}

up() {
  local count=${1:-3}
  check >&2 || exit 69
  down
  mkdir -p "$state"
  ip link add "$bridge" type bridge
  ip addr add "$prefix.1/24" dev "$bridge"
  ip link set "$bridge" up
  : >"$state/hosts"
  for i in $(seq 1 "$count"); do
    add_namespace "tfnode$i" "$(host_address "tfnode$i")" "tfv$i"
    echo "tfnode$i" >>"$state/hosts"
  done
  add_namespace "$login" "$login_address" tfvlogin
  for host in $(hosts) "$login"; do write_hosts_file "$host"; done
}

# Runs CMD in NAME's namespace with NAME as its host name (a UTS namespace of its own).
run_on() {
  local ns
  ns=$(namespace "$1"); shift
  exec ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$ns" "$@"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  up) up "$@" ;;
  down) down ;;
  check) check ;;
  hosts) hosts ;;
  address) host_address "$1" ;;
  hostfile)
    for host in $(hosts); do echo "$(host_address "$host") slots=${1:-2}"; done ;;
  mpirun)
    [ -s "$state/hosts" ] || { echo "netns-cluster: no cluster; run '$0 up' first" >&2; exit 69; }
    # In the state folder, which `down` removes: mpirun replaces this shell (exec), so that
    # signals sent to it (SIGTERM, SIGUSR1) reach mpirun, which forwards them to the ranks.
    hostfile=$state/hostfile.$$
    "$0" hostfile "${NETNS_SLOTS:-3}" >"$hostfile"
    # mpirun itself runs in the root namespace, which reaches the hosts over the bridge.
    exec mpirun --hostfile "$hostfile" --mca plm_rsh_agent "$here/netns-rsh-agent.sh" \
      --mca plm_rsh_no_tree_spawn 1 --mca oob_tcp_if_include "$prefix.0/24" \
      --mca btl tcp,self --mca btl_tcp_if_include "$prefix.0/24" --prefix /usr "$@" ;;
  run) run_on "$@" ;;
  kill)
    ns=$(namespace "$1")
    for pid in $(ip netns pids "$ns"); do
      if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]; then kill -9 "$pid" 2>/dev/null || true; fi
    done ;;
  cut)
    case "$1" in tfnode*) ip link set "tfv${1#tfnode}" down ;; *) echo "netns-cluster: cut needs a host" >&2; exit 64 ;; esac ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64 ;;
esac
