"""HyperQueue peer: N tasks of a program through the PyPI package's LocalCluster.

Usage: hq_exec.py N CORES OUTDIR|none [PROGRAM]
One worker with CORES cores, so at most CORES tasks run at once (the same concurrency
as every other system). With OUTDIR, each task's stdout/stderr go to OUTDIR/<id>.out/.err
(capture on); with `none`, both are discarded (capture off).
HyperQueue Python API: hyperqueue.cluster.LocalCluster, Job.program(stdout=, stderr=).
"""
import sys
import tempfile

from hyperqueue import Job
from hyperqueue.cluster import LocalCluster, WorkerConfig


def main() -> None:
    count, cores, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    program = sys.argv[4] if len(sys.argv) > 4 else "/bin/true"
    with tempfile.TemporaryDirectory() as server_dir:
        with LocalCluster(server_dir, WorkerConfig(cores=cores)) as cluster:
            client = cluster.client()
            job = Job(max_fails=None)
            for i in range(count):
                if outdir == "none":
                    job.program([program], stdout=None, stderr=None)
                else:
                    job.program([program], stdout=f"{outdir}/{i}.out", stderr=f"{outdir}/{i}.err")
            submitted = client.submit(job)
            client.wait_for_jobs([submitted])


if __name__ == "__main__":
    main()
