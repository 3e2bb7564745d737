#!/usr/bin/env python3
"""Reports where one array element runs: the same program for every job format.

Usage: report.py [--index N] VAR [VAR ...]

The index comes from --index (HTCondor passes $(Process) there), else from
PBS_ARRAY_INDEX (PBS Pro), PBS_ARRAYID (Torque) or SLURM_ARRAY_TASK_ID (Slurm).
Prints the index, host, working directory, user and each named environment
variable, one `key=value` per line. Exits 2 when the index or a variable is missing.
"""
import getpass
import os
import socket
import sys


def main(arguments):
    index = None
    if arguments[:1] == ["--index"] and len(arguments) >= 2:
        index, arguments = arguments[1], arguments[2:]
    else:
        for name in ("PBS_ARRAY_INDEX", "PBS_ARRAYID", "SLURM_ARRAY_TASK_ID"):
            if os.environ.get(name):
                index = os.environ[name]
                break
    if index is None:
        print("report.py: no index: pass --index N or run as an array element", file=sys.stderr)
        return 2
    print(f"index={index}")
    print(f"host={socket.gethostname()}")
    print(f"cwd={os.getcwd()}")
    print(f"user={getpass.getuser()}")
    missing = [name for name in arguments if name not in os.environ]
    for name in arguments:
        if name in os.environ:
            print(f"{name}={os.environ[name]}")
    if missing:
        print(f"report.py: missing environment variable(s): {' '.join(missing)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
