"""The results: one JSON file in Benchmarks/results/ and Markdown tables of ratios with the
issue-7 targets beside them (met / missed)."""
import json
import math
from pathlib import Path
from typing import Dict, List, Optional

from . import alternate, exec_throughput, targets

NOT_RUN = "taskfarm not run"


def _number(value: Optional[float], digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def _ratio(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.2f}×"


class Table:
    """A Markdown table built row by row."""

    def __init__(self, *headers: str):
        self.lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]

    def add(self, *cells: str) -> None:
        self.lines.append("| " + " | ".join(cells) + " |")

    def text(self) -> str:
        return "\n".join(self.lines)


def _exec_tables(section: Dict, summary: List[Dict]) -> List[str]:
    exceptions = [f"{name} {n}" for name, n in section["fewer_tasks"].items()]
    exceptions += [f"{name} 1 round" for name in section["one_round"]]
    out = [f"### Exec throughput: {section['tasks']} × /bin/true, concurrency {section['concurrency']}, "
           f"medians of {section['rounds']} alternating rounds (except: {', '.join(exceptions)})"]
    for mode in ("capture off", "capture on"):
        if mode not in section:
            continue
        samples = section[mode]["samples"]
        systems = section[mode]["systems"]
        limit = samples.get("C posix_spawn loop")
        ours = samples.get("taskfarm")
        ours_ok = ours and "error" not in ours[0]
        table = Table("system", "tasks/s (net)", "tasks/s (gross)", "CPU ms/task", "÷ C limit",
                      "C limit ÷ it (ceiling)", "taskfarm ÷ it", "target", "verdict")
        for name, stats in systems.items():
            if "error" in stats:
                table.add(name, "failed: " + stats["error"].splitlines()[0][:80], "", "", "", "", "", "", "")
                continue
            median = stats["median"]
            net = median.get("net_tasks_per_s")
            versus_limit = alternate.ratio_of_rounds(samples[name], limit, "net_tasks_per_s") if limit else None
            if name == "taskfarm":
                ratio = None
            else:
                ratio = alternate.ratio_of_rounds(ours, samples[name], "net_tasks_per_s") if ours_ok else None
            goal = targets.EXEC_MINIMUM_RATIO.get(name)
            if name != "taskfarm" and goal is not None:
                if not ours_ok:
                    met = NOT_RUN
                else:  # no ratio: no round gave both net rates (too few tasks to measure)
                    met = "—" if ratio is None else targets.verdict(ratio >= goal)
                summary.append({"target": f"exec, {mode}: taskfarm ≥ {goal}× {name}", "measured": ratio,
                                "verdict": met})
            else:
                met = ""
            if name == exec_throughput.ONE_RANK_PER_CORE:  # issue 18 asks for it beside the 0.9× target
                summary.append({"target": f"exec, {mode}: {name} (np 2), ÷ C posix_spawn loop (reported)",
                                "measured": versus_limit, "verdict": "reported"})
            table.add(name, _number(net), _number(median["gross_tasks_per_s"]),
                      _number(1000 * median["cpu_s_per_task"], 2), _ratio(versus_limit),
                      _ratio(1 / versus_limit if versus_limit else None), _ratio(ratio),
                      f"≥ {goal}×" if goal and name != "taskfarm" else "", met)
        out += [f"\n**{mode}**\n", table.text()]
    return out


def _dispatch_tables(section: Dict, summary: List[Dict]) -> List[str]:
    out = [f"### In-process dispatch: no-op tasks, {section['ranks']} ranks, medians of {section['rounds']} rounds"]
    table = Table("chunk", "system", "tasks/s", "÷ C MPI loop", "taskfarm ÷ it", "target", "verdict")
    latency: List[str] = []
    for key, value in section.items():
        if not key.startswith("chunk "):
            continue
        chunk = int(key.split()[1])
        samples = value["samples"]
        limit = samples.get("C MPI loop")
        ours = samples.get("taskfarm")
        for name, stats in value["systems"].items():
            if "error" in stats:
                table.add(str(chunk), name, "failed", "", "", "", "")
                continue
            goal = targets.DISPATCH_MINIMUM_RATIO.get((chunk, name))
            ratio = alternate.ratio_of_rounds(ours, samples[name], "tasks_per_s") if ours and name != "taskfarm" else None
            if goal is None:
                met = ""
            elif not ours:
                met = "slot" if "taskfarm" in value else NOT_RUN
            else:
                met = targets.verdict(ratio >= goal)
            if goal is not None:
                summary.append({"target": f"dispatch, chunk {chunk}: taskfarm ≥ {goal}× {name}",
                                "measured": ratio, "verdict": met})
            versus = alternate.ratio_of_rounds(samples[name], limit, "tasks_per_s") if limit else None
            table.add(str(chunk), name, _number(stats["median"]["tasks_per_s"]), _ratio(versus), _ratio(ratio),
                      f"≥ {goal}×" if goal else "", met)
        if "taskfarm" in value:
            table.add(str(chunk), "taskfarm", value["taskfarm"], "", "", "", "")
        ours_stats = value["systems"].get("taskfarm", {}).get("median", {})
        if "latency_p50_us" in ours_stats:
            p50 = ours_stats["latency_p50_us"]
            summary.append({"target": f"single call p50 ≤ {targets.SINGLE_CALL_P50_MAXIMUM_US} µs (chunk-{chunk} run)",
                            "measured": f"{p50:,.0f} µs",
                            "verdict": targets.verdict(p50 <= targets.SINGLE_CALL_P50_MAXIMUM_US)})
            latency.append(f"chunk-{chunk} run: p50 {ours_stats['latency_p50_us']:,.0f} µs, "
                           f"p99 {ours_stats['latency_p99_us']:,.0f} µs, max {ours_stats['latency_max_us']:,.0f} µs")
    out += ["", table.text(), "", "Prefetch depth: " + "; ".join(f"{k}: {v}" for k, v in section["prefetch"].items())]
    if latency:
        out += ["", "taskfarm single-call latency, call to result on rank 0 (hdrhistogram, medians of rounds): "
                + "; ".join(latency)]
    return out


def _startup_table(section: Dict, summary: List[Dict]) -> List[str]:
    out = [f"### Start and stop: `mpirun -np 4`, hyperfine medians of {section.get('runs', '?')} runs", ""]
    if "error" in section:
        return out + [section["error"]]
    table = Table("command", "median s", "user s", "system s")
    for name, stats in section["systems"].items():
        table.add(name, _number(stats["median_s"], 3), _number(stats["user_s"], 3), _number(stats["system_s"], 3))
    added = section.get("added_by_1_task_s")
    met = NOT_RUN if added is None else targets.verdict(added < targets.STARTUP_ADDED_MAXIMUM_S)
    summary.append({"target": "start-up: 1 task adds < 100 ms to mpirun hello world",
                    "measured": None if added is None else f"{1000 * added:.0f} ms", "verdict": met})
    return out + [table.text()]


def _idle_tables(section: Dict, summary: List[Dict]) -> List[str]:
    out = [f"### Idle cost: {section.get('tasks', 100)} × `sleep 1` on 4 ranks", ""]
    if "error" in section:
        summary.append({"target": "idle ranks < 2% of a core; p99 gap < 1 ms", "measured": None, "verdict": NOT_RUN})
        return out + [section["error"]]
    table = Table("rank", "wall s", "CPU s (tasks' own taken out)", "% of a core", "target", "verdict")
    for role, stats in section["ranks"].items():
        share = stats["core_share_percent"]
        met = targets.verdict(share < targets.IDLE_MAXIMUM_CORE_PERCENT)
        summary.append({"target": f"idle: {role} < 2% of a core", "measured": f"{share:.2f}%", "verdict": met})
        table.add(role, _number(stats["wall_s"], 1), _number(stats["cpu_without_tasks_s"], 3), f"{share:.2f}%", "< 2%", met)
    gaps, floor = section["gaps"], section["method_floor"]["gaps"]
    overhead = gaps["p99_ms"] - floor["p50_ms"]
    met = targets.verdict(overhead < targets.GAP_P99_MAXIMUM_MS)
    summary.append({"target": "end-to-start gap p99 < 1 ms (method floor p50 taken out)",
                    "measured": f"{overhead:.2f} ms", "verdict": met})
    gap_table = Table("end → next start, same worker", "p50 ms", "p99 ms", "max ms")
    gap_table.add("taskfarm", _number(gaps["p50_ms"], 2), _number(gaps["p99_ms"], 2), _number(gaps["max_ms"], 2))
    gap_table.add("method floor (C loop)", _number(floor["p50_ms"], 2), _number(floor["p99_ms"], 2), _number(floor["max_ms"], 2))
    return out + [table.text(), "", gap_table.text()]


def _scale_table(section: Dict, summary: List[Dict]) -> List[str]:
    out = [f"### Scale: {section['tasks']:,}-task list, rank 0", ""]
    goal = f"rank 0 < 200 bytes per queued task at {section['tasks']:,}"
    if "error" in section:
        summary.append({"target": goal, "measured": None,
                        "verdict": NOT_RUN if "not built" in section["error"] else "slot"})
        return out + [section["error"], "", f"Dispatch with the journal on: {section['journal dispatch']}"]
    per_task = section["bytes_per_task"]
    met = targets.verdict(per_task < targets.BYTES_PER_QUEUED_TASK_MAXIMUM)
    if section.get("lower_bound") and met == "met":
        met = "unknown (lower bound)"
    summary.append({"target": goal, "measured": f"{per_task:.0f} B",
                    "verdict": met})
    bound = "≥ " if section.get("lower_bound") else ""
    table = Table("time to first task, beyond 1-task list (s)", "peak RSS MiB", "bytes per task", "target", "verdict")
    table.add(_number(section["parse_s"], 2), _number(section["all tasks"]["max_rss_kib"] / 1024, 1),
              bound + _number(per_task), "< 200", met)
    check = section.get("parse-only")
    if isinstance(check, dict):
        summary.append({"target": f"`check` of a {section['tasks']:,}-line list ≤ {targets.CHECK_BYTES_PER_TASK_MAXIMUM} B/task",
                        "measured": f"{check['bytes_per_task']:.0f} B, {check['elapsed_s']:.1f} s",
                        "verdict": targets.verdict(check["bytes_per_task"] <= targets.CHECK_BYTES_PER_TASK_MAXIMUM)})
        check_line = (f"Parse-only (`{check['command']}`, includes formatting its listing): "
                      f"{check['elapsed_s']:.2f} s more than for 1 task, peak RSS "
                      f"{check['all tasks']['max_rss_kib'] / 1024:.1f} MiB, {check['bytes_per_task']:.0f} bytes per task.")
    else:
        check_line = f"Parse-only: {check}."
    return out + [f"Method: {section['method']}.", "", table.text(), "", check_line, "",
                  f"Dispatch with the journal on: {section['journal dispatch']}"]


def _not_run(summary: List[Dict], goal: str, label: str, part: Dict) -> List[str]:
    """The summary row and the line of a part that did not run."""
    summary.append({"target": goal, "measured": None, "verdict": NOT_RUN})
    return [f"{label}: {part.get('error', 'not run')}"]


def _queued_tables(section: Dict, summary: List[Dict]) -> List[str]:
    out = ["### Queue size: dispatch with 1,000,000 tasks queued, and a submit description's `queue 1000000`", ""]
    dispatch = section.get("dispatch", {})
    goal = f"dispatch with 1,000,000 queued ÷ with 5,000 ≥ {targets.QUEUED_DISPATCH_MINIMUM_RATIO}"
    if "error" in dispatch or not dispatch:
        out += _not_run(summary, goal, "Dispatch by queue size", dispatch)
    else:
        ratio = dispatch["ratio"]
        summary.append({"target": goal, "measured": f"{ratio:.2f}", "verdict": targets.verdict(ratio >= targets.QUEUED_DISPATCH_MINIMUM_RATIO)})
        table = Table("tasks queued", "tasks/s in window", "CPU µs/task: rank 0", "rank 1", "rank 2", "rank 3")
        for size in ("5000", "1000000"):
            row = dispatch[size]
            table.add(f"{int(size):,}", _number(row["tasks_per_s"]), *[_number(v) for v in row["cpu_us_per_task"]])
        out += [f"`mpirun -np 4 taskfarm run` of `echo` lists, capture off, journal on; after 300 tasks, {dispatch['window_s']:.0f} s "
                f"window, medians of {dispatch['rounds']} alternating rounds. Ratio {ratio:.2f} (rank 0 CPU per task, "
                f"5,000 ÷ 1,000,000: {dispatch['cpu_ratio_rank0']:.2f}).", "", table.text(), ""]
    submit = section.get("submit", {})
    goal = f"submit description `queue 1000000`, `check` ≤ {targets.SUBMIT_BYTES_PER_PROC_MAXIMUM} B/proc"
    if "error" in submit or not submit:
        out += _not_run(summary, goal, "Submit description", submit)
    else:
        per = submit["bytes_per_proc"]
        summary.append({"target": goal, "measured": f"{per:.0f} B, {submit['elapsed_s']:.1f} s",
                        "verdict": targets.verdict(per <= targets.SUBMIT_BYTES_PER_PROC_MAXIMUM)})
        out += [f"`taskfarm check` of `queue {submit['procs']:,}` against `queue 1` (listing to /dev/null): "
                f"{submit['elapsed_s']:.1f} s more, peak RSS {submit['all']['max_rss_kib'] / 1024:.1f} MiB, {per:.0f} bytes per proc."]
    return out


def _ranks_table(section: Dict, summary: List[Dict]) -> List[str]:
    out = ["### Many ranks: idle CPU per rank, oversubscribed on 2 cores", ""]
    if "error" in section:
        summary.append({"target": "idle CPU per rank flat at 64, 128, 256 ranks", "measured": None, "verdict": NOT_RUN})
        return out + [section["error"]]
    rows = [row for row in section["rows"] if "error" not in row]
    table = Table("ranks", "launch to tasks running s", "mean % of a core per rank", "largest %", "all ranks %")
    for row in section["rows"]:
        if "error" in row:
            table.add(str(row["ranks"]), row["error"], "", "", "")
            continue
        table.add(str(row["ranks"]), _number(row["start_to_tasks_s"], 1), _number(row["mean_percent"], 2),
                  _number(row["max_percent"], 2), _number(row["total_percent"], 0))
    means = [row["mean_percent"] for row in rows]
    sizes = ", ".join(str(row["ranks"]) for row in section["rows"])
    if len(rows) == len(section["rows"]) and means and min(means) > 0:
        flatness = max(means) / min(means)
        met = flatness <= targets.RANKS_IDLE_MAXIMUM_FLATNESS and max(means) < targets.IDLE_MAXIMUM_CORE_PERCENT
        summary.append({"target": f"idle CPU per rank < {targets.IDLE_MAXIMUM_CORE_PERCENT:.0f}% and flat within "
                                  f"{targets.RANKS_IDLE_MAXIMUM_FLATNESS:.0f}× at {sizes} ranks",
                        "measured": f"{min(means):.2f}–{max(means):.2f}%", "verdict": targets.verdict(met)})
    else:
        summary.append({"target": f"idle CPU per rank flat at {sizes} ranks", "measured": None, "verdict": "failed"})
    return out + [f"`mpirun -np R taskfarm run` of 2 × `sleep 30`; each rank's own CPU over {section['window_s']:.0f} s "
                  "once both run (2 workers wait on a task, the rest have nothing to do).", "", table.text()]


def _simulate_table(section: Dict, summary: List[Dict]) -> List[str]:
    out = ["### Rank 0 at 10 to 10,000 workers: simulated, in-memory transport", ""]
    goal = f"rank 0 CPU per task flat within {targets.SIMULATION_MAXIMUM_FLATNESS:.0f}× from 10 to 10,000 workers"
    if "error" in section:
        summary.append({"target": goal, "measured": None, "verdict": NOT_RUN})
        return out + [section["error"]]
    flatness = section["flatness"]
    met = targets.verdict(flatness is not None and flatness <= targets.SIMULATION_MAXIMUM_FLATNESS)
    summary.append({"target": goal, "measured": f"{flatness:.2f}× (largest ÷ smallest)", "verdict": met})
    table = Table("virtual workers", "tasks", "rank 0 rounds", "rank 0 CPU µs per task")
    for workers, row in sorted(section["workers"].items(), key=lambda item: int(item[0])):
        table.add(f"{int(workers):,}", f"{row['tasks']:,}", f"{row['rounds']:,}", _number(row["us_per_task"], 2))
    return out + [f"`{section['command']}`: the real scheduler and name server, virtual workers that end each task "
                  f"one round after they get it; medians of {section['repeats']} runs.", "", table.text(), "",
                  f"Largest ÷ smallest: {flatness:.2f}× (target ≤ {targets.SIMULATION_MAXIMUM_FLATNESS:.0f}×): {met}"]


def _mixed_table(section: Dict, summary: List[Dict]) -> List[str]:
    sizes = ", ".join(f"{n} × {k} core{'s' if k != '1' else ''}" for k, n in section["sizes"].items())
    out = [f"### Mixed workload: {section['tasks']} sleep tasks of {section['seconds']} s ({sizes}), "
           f"{section['cores']} declared cores", ""]
    table = Table("system", "makespan s", "best s", "utilisation", "best", "peak cores held", "wall s")
    for name, stats in section["systems"].items():
        if "error" in stats:
            table.add(name, stats["error"][:80], "", "", "", "", "")
            continue
        table.add(name, _number(stats["makespan_s"], 2), _number(stats["best_makespan_s"], 2),
                  f"{100 * stats['utilisation']:.0f}%", f"{100 * stats['best_utilisation']:.0f}%",
                  str(stats["peak_cores"]), _number(stats["wall_s"], 2))
    return out + ["Utilisation = busy core-seconds ÷ (cores × makespan), from the tasks' own start and end.", "",
                  table.text()]


def markdown(results: Dict) -> str:
    """All sections present in `results`, then the target summary."""
    summary: List[Dict] = []
    meta = results["meta"]
    parts = [f"## TaskFarm benchmarks, {meta['date']}", "",
             f"Command: `{('Benchmarks/run.sh ' + meta['command']).strip()}`", "",
             "Ran with: " + "; ".join(f"{name} {version}" for name, version in meta["versions"].items()), ""]
    renderers = {"exec": _exec_tables, "dispatch": _dispatch_tables, "startup": _startup_table,
                 "idle": _idle_tables, "scale": _scale_table, "queued": _queued_tables,
                 "mixed": _mixed_table, "ranks": _ranks_table, "simulate": _simulate_table}
    for name, render in renderers.items():
        if name in results["sections"]:
            parts += render(results["sections"][name], summary) + [""]
    if summary:
        table = Table("target (issues 7, 18)", "measured", "verdict")
        for row in summary:
            measured = row["measured"]
            table.add(row["target"], _ratio(measured) if isinstance(measured, float) else (measured or "—"), row["verdict"])
        parts += ["### Targets", "", table.text(), ""]
    results["targets"] = summary
    load = meta.get("load average")
    if load:
        parts += [f"Load average (1 min) at start and end: {load['start']:.2f}, {load['end']:.2f} "
                  f"on {meta['versions']['machine']}.", ""]
    notes = results["meta"].get("notes") or []
    if notes:
        parts += ["Notes: " + "; ".join(notes), ""]
    return "\n".join(parts)


def write_json(results: Dict, folder: Path) -> Path:
    """Writes results to folder/<timestamp>.json and returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{results['meta']['timestamp']}.json"
    path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    return path
