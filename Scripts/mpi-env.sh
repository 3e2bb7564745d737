# Sourced by the scripts that start mpirun on a development machine or in CI.
# Open MPI refuses to start as root without these; they are set only for root, and only
# by these scripts, never by taskfarm itself.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Small machines run more ranks than cores.
export OMPI_MCA_rmaps_base_oversubscribe=1
