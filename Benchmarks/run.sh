#!/usr/bin/env bash
# TaskFarm benchmarks against their peers (issue 7), in one command.
#
#   Benchmarks/run.sh [SECTION ...] [--quick] [--tasks N] [--rounds R] [--no-build]
#
# SECTION is exec, dispatch, startup, idle, scale, mixed, simulate or ranks (default: all of them).
# The script installs what is missing (Debian: openmpi-bin, libopenmpi-dev, parallel, hyperfine, time; PyPI, into
# Benchmarks/.venv: mpi4py built against the system Open MPI, hyperqueue, disbatch), builds
# taskfarm in release mode at the repo root, then runs `python -m bench` (Benchmarks/bench/),
# which prints versions, writes Benchmarks/results/<timestamp>.json and prints Markdown tables.
# A peer that cannot be installed is skipped with a note, never faked.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
venv="$here/.venv"

build=1
arguments=()
for argument in "$@"; do
    if [[ "$argument" == "--no-build" ]]; then build=0; else arguments+=("$argument"); fi
done

note() { printf 'run.sh: %s\n' "$*" >&2; }

# Debian packages, by the command each provides.
install_debian_packages() {
    local missing=() pair
    for pair in mpirun:openmpi-bin mpicc:libopenmpi-dev parallel:parallel hyperfine:hyperfine \
                /usr/bin/time:time cc:gcc python3:python3 ; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
    done
    python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
    [[ ${#missing[@]} -eq 0 ]] && return
    note "installing Debian packages: ${missing[*]}"
    local sudo=""
    [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}"; } >&2 \
        || note "apt-get could not install all of: ${missing[*]} (those peers will be skipped)"
}

# PyPI packages into Benchmarks/.venv; mpi4py from source, so it links the system Open MPI.
install_python_packages() {
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
    if ! "$venv/bin/python" -c 'import mpi4py' 2>/dev/null; then
        note "installing mpi4py (built with mpicc against the system Open MPI)"
        MPICC=mpicc "$venv/bin/pip" install -q --no-binary mpi4py mpi4py >&2 || note "mpi4py did not install"
    fi
    local package
    for package in hyperqueue disbatch; do
        "$venv/bin/python" -c "import $package" 2>/dev/null && continue
        note "installing $package"
        "$venv/bin/pip" install -q "$package" >&2 || note "$package did not install"
    done
}

build_taskfarm() {
    [[ $build -eq 1 ]] || return 0
    note "building taskfarm: swift build -c release --product taskfarm (in $repo)"
    (cd "$repo" && swift build -c release --product taskfarm >&2) \
        || note "taskfarm did not build: its rows will say so"
    note "building dispatch-bench: swift build -c release --product dispatch-bench (in $here)"
    (cd "$here" && swift build -c release --product dispatch-bench >&2) \
        || note "dispatch-bench did not build: taskfarm's dispatch rows will say so"
    note "building scheduler-sim: swift build -c release --product scheduler-sim (in $here)"
    (cd "$here" && swift build -c release --product scheduler-sim >&2) \
        || note "scheduler-sim did not build: the simulation's rows will say so"
}

# Test harness only: root may run mpirun, and 4 ranks may share 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

install_debian_packages
install_python_packages
build_taskfarm
cd "$here"
exec "$venv/bin/python" -m bench "${arguments[@]}"
