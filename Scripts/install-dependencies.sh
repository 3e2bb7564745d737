#!/usr/bin/env bash
# Installs what TaskFarm needs from Debian's packages, only when it is missing:
# Open MPI (libopenmpi-dev, openmpi-bin) and pkg-config; iproute2 for the multi-host tests'
# namespace cluster; Chromium, in which a test opens the HTML report (`taskfarm report`);
# the C++ library the fuzz targets link. Needs root (or sudo).
set -euo pipefail
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
missing=()
command -v mpirun >/dev/null 2>&1 || missing+=(openmpi-bin)
pkg-config --exists ompi-c 2>/dev/null || missing+=(libopenmpi-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# The DRMAA test makes a virtual environment for PyPI's drmaa package.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
# The fuzz targets (Scripts/fuzz.sh) link libFuzzer's driver, which needs the C++ library.
compgen -G '/usr/lib/gcc/*/*/libstdc++.so' >/dev/null || missing+=(libstdc++-12-dev)
# The multi-host tests' namespace cluster (Scripts/netns-cluster.sh): ip, unshare.
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Chromium opens the HTML report in ReportBrowserTests; that test skips, saying so, without it.
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing: chromium"
  { "${sudo_cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq chromium >/dev/null; } \
    || echo "note: could not install chromium; the report's browser test will skip"
fi
# HTCondor's own Python bindings (PyPI: htcondor) are the oracle of the conformance tests
# (macro expansion, queue items, ClassAds, event logs); those tests skip when it is absent.
if ! python3 -c 'import htcondor2' >/dev/null 2>&1; then
  python3 -m pip install -q htcondor >/dev/null 2>&1 \
    || echo "note: could not install htcondor from PyPI; the HTCondor conformance tests will skip"
fi
