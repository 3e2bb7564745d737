"""HyperQueue peer for the mixed workload: tasks with per-task core requests.

Usage: hq_mixed.py CORES LINES
One local worker with CORES cores; each line of LINES is `K SHELL-LINE`, submitted as one task
running `sh -c SHELL-LINE` with `ResourceRequest(cpus=K)`.
HyperQueue Python API: hyperqueue.cluster.LocalCluster, Job.program(resources=ResourceRequest(cpus=)).
"""
import sys
import tempfile

from hyperqueue import Job
from hyperqueue.cluster import LocalCluster, WorkerConfig
from hyperqueue.ffi.protocol import ResourceRequest


def main() -> None:
    cores, lines = int(sys.argv[1]), sys.argv[2]
    with tempfile.TemporaryDirectory() as server_dir:
        with LocalCluster(server_dir, WorkerConfig(cores=cores)) as cluster:
            client = cluster.client()
            job = Job(max_fails=None)
            for line in open(lines):
                count, shell = line.rstrip("\n").split(" ", 1)
                job.program(["sh", "-c", shell], stdout=None, stderr=None,
                            resources=ResourceRequest(cpus=int(count)))
            submitted = client.submit(job)
            client.wait_for_jobs([submitted])


if __name__ == "__main__":
    main()
