"""Command line: `python -m bench [SECTION ...] [--quick] [--tasks N] [--rounds R]`.

Sections: exec, dispatch, startup, idle, scale, mixed, simulate, ranks (default: all). Prints what it runs with (versions
and skipped peers), writes Benchmarks/results/<timestamp>.json and prints the Markdown tables."""
import argparse
import datetime
import os
import sys

from . import dispatch, environment, exec_throughput, idle, mixed, queued, ranks, report, scale, simulate, startup

SECTIONS = ("exec", "dispatch", "startup", "idle", "scale", "mixed", "simulate", "ranks")


def _arguments():
    parser = argparse.ArgumentParser(prog="Benchmarks/run.sh", description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", metavar="SECTION", help=f"one of {', '.join(SECTIONS)}, all")
    parser.add_argument("--quick", action="store_true", help="smoke sizes: seconds, not minutes")
    parser.add_argument("--tasks", type=int, help="exec tasks per run (default 5000; quick 200)")
    parser.add_argument("--rounds", type=int, help="alternating rounds (default 3; quick 1)")
    args = parser.parse_args()
    unknown = [s for s in args.sections if s not in (*SECTIONS, "all")]
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}: choose from {', '.join(SECTIONS)}, all")
    return args


def main() -> None:
    args = _arguments()
    chosen = SECTIONS if not args.sections or "all" in args.sections else tuple(s for s in SECTIONS if s in args.sections)
    quick = args.quick
    tasks = args.tasks or (200 if quick else 5000)
    rounds = args.rounds or (1 if quick else 3)

    env = environment.discover()
    print("Running with:", file=sys.stderr)
    for name, version in env.versions.items():
        print(f"  {name}: {version}", file=sys.stderr)

    now = datetime.datetime.now(datetime.timezone.utc)
    results = {"meta": {"date": now.strftime("%Y-%m-%d %H:%M UTC"), "timestamp": now.strftime("%Y%m%dT%H%M%SZ"),
                        "command": " ".join(sys.argv[1:]), "quick": quick, "versions": env.versions,
                        "notes": env.notes, "load average": {"start": os.getloadavg()[0]}},
               "sections": {}}
    sections = results["sections"]
    if "exec" in chosen:
        fewer = {"GNU parallel": min(tasks, 2000), "disBatch": 20 if quick else 30}
        sections["exec"] = exec_throughput.run(env, tasks, rounds, fewer)
    if "dispatch" in chosen:
        counts = {"C MPI loop": {1: 20_000 if quick else 500_000, 100: 1_000_000 if quick else 20_000_000},
                  "mpi4py.futures": {1: 2_000 if quick else 20_000, 100: 100_000 if quick else 1_000_000}}
        sections["dispatch"] = dispatch.run(env, rounds, counts)
    if "startup" in chosen:
        sections["startup"] = startup.run(env, runs=5 if quick else 20)
    if "idle" in chosen:
        sections["idle"] = idle.run(env, tasks=10 if quick else 100)
    if "scale" in chosen:
        sections["scale"] = scale.run(env, tasks=10_000 if quick else 1_000_000)
        sections["queued"] = queued.run(env, rounds, procs=10_000 if quick else 1_000_000)
    if "ranks" in chosen:
        sections["ranks"] = ranks.run(env, sizes=(16, 32) if quick else (64, 128, 256))
    if "simulate" in chosen:
        sections["simulate"] = simulate.run(tasks=50_000 if quick else 200_000, repeats=1 if quick else 3)
    if "mixed" in chosen:
        sections["mixed"] = mixed.run(env, count=24 if quick else 120, seconds=0.5 if quick else 1.0)

    results["meta"]["load average"]["end"] = os.getloadavg()[0]
    table = report.markdown(results)
    path = report.write_json(results, environment.BENCHMARKS / "results")
    print(table)
    print(f"\nResults: {path.relative_to(environment.REPO)}")


if __name__ == "__main__":
    main()
