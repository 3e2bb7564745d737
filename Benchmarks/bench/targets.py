"""The targets of issues 7 and 18 (this 2-core machine: 1 scheduler, 1 name server, 2 workers), as data."""

# Exec throughput: taskfarm's net tasks/s divided by each system's, at least this much.
EXEC_MINIMUM_RATIO = {
    "C posix_spawn loop": 0.90,
    "mpi4py.futures": 2.0,
    "HyperQueue": 5.0,
    "GNU parallel": 8.0,
}

# In-process dispatch: taskfarm's tasks/s divided by each system's, per chunk size.
DISPATCH_MINIMUM_RATIO = {
    (1, "C MPI loop"): 0.25,
    (100, "C MPI loop"): 0.25,
    (1, "mpi4py.futures"): 20.0,
}

IDLE_MAXIMUM_CORE_PERCENT = 2.0       # each idle rank, percent of one core
GAP_P99_MAXIMUM_MS = 1.0              # end of a task to the next start on that worker
STARTUP_ADDED_MAXIMUM_S = 0.100       # `taskfarm run` of 1 task minus bare `mpirun` hello world
BYTES_PER_QUEUED_TASK_MAXIMUM = 200   # rank 0, at 1,000,000 tasks
QUEUED_DISPATCH_MINIMUM_RATIO = 0.9   # tasks/s with 1,000,000 queued ÷ with 5,000 (issue 18)
CHECK_BYTES_PER_TASK_MAXIMUM = 200    # `taskfarm check` of a 1,000,000-line list (issue 18)
SUBMIT_BYTES_PER_PROC_MAXIMUM = 200   # `taskfarm check` of a submit description's `queue 1000000` (issue 18)
SINGLE_CALL_P50_MAXIMUM_US = 100      # in-process call to its result on rank 0 (issue 18)
SIMULATION_MAXIMUM_FLATNESS = 2.0
RANKS_IDLE_MAXIMUM_FLATNESS = 2.0     # mean idle CPU per rank, largest ÷ smallest over 64, 128, 256 ranks (issue 18)     # rank 0's CPU per task, largest ÷ smallest over 10 to 10,000 workers


def verdict(met: bool) -> str:
    """The word shown next to a ratio."""
    return "met" if met else "missed"
