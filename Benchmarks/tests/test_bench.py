"""Unit tests of the harness's arithmetic: run with `Benchmarks/.venv/bin/python -m unittest
discover -s Benchmarks/tests -t Benchmarks` (no MPI, no peers needed)."""
import tempfile
import unittest
from pathlib import Path

from bench import alternate, idle, report, simulate


class PercentileTests(unittest.TestCase):
    def test_nearest_rank(self):
        values = list(range(1, 101))  # 1..100
        self.assertEqual(idle.percentile(values, 0.99), 99)
        self.assertEqual(idle.percentile(values, 0.50), 50)
        self.assertEqual(idle.percentile(values, 1.0), 100)
        self.assertEqual(idle.percentile([7.0], 0.99), 7.0)

    def test_small_samples_give_the_maximum_at_p99(self):
        self.assertEqual(idle.percentile([3.0, 1.0, 2.0], 0.99), 3.0)


class GapTests(unittest.TestCase):
    def test_gaps_are_per_worker_and_ordered_by_start(self):
        with tempfile.TemporaryDirectory() as folder:
            gaps = Path(folder) / "gaps"
            # Worker 2 runs [0,1] then [1.002,2]; worker 3 runs [0.5,1.5] then [1.6,2.6].
            # Lines arrive out of order, as concurrent appends do.
            gaps.write_text("3 1.600000 2.600000\n2 1.002000 2.000000\n2 0.000000 1.000000\n3 0.500000 1.500000\n")
            found = sorted(round(g, 6) for g in idle.end_to_start_gaps(gaps))
        self.assertEqual(found, [0.002, 0.1])


class RatioTests(unittest.TestCase):
    def test_ratios_pair_the_same_round(self):
        ours = [{"rate": 10.0}, {"rate": 30.0}, {"rate": 20.0}]
        theirs = [{"rate": 5.0}, {"rate": 30.0}, {"rate": 4.0}]
        # per-round ratios 2, 1, 5: median 2 (a ratio of medians would say 20 / 5 = 4).
        self.assertEqual(alternate.ratio_of_rounds(ours, theirs, "rate"), 2.0)

    def test_missing_figures_and_zero_denominators_are_left_out(self):
        ours = [{"rate": 10.0}, {}, {"rate": 9.0}]
        theirs = [{"rate": 5.0}, {"rate": 1.0}, {"rate": 0.0}]
        self.assertEqual(alternate.ratio_of_rounds(ours, theirs, "rate"), 2.0)
        self.assertIsNone(alternate.ratio_of_rounds([{}], [{"rate": 1.0}], "rate"))

    def test_shorter_list_pairs_only_its_rounds(self):
        self.assertEqual(alternate.ratio_of_rounds([{"r": 8.0}, {"r": 1.0}], [{"r": 2.0}], "r"), 4.0)


class SummaryTests(unittest.TestCase):
    def test_median_ignores_rounds_without_the_figure(self):
        summary = alternate.summarize([{"a": 1.0, "b": 2.0}, {"a": 3.0}, {"a": 2.0, "b": 4.0}])
        self.assertEqual(summary["median"], {"a": 2.0, "b": 3.0})

    def test_failed_system_reports_its_error(self):
        self.assertEqual(alternate.summarize([{"error": "boom"}]), {"error": "boom"})


class ReportTests(unittest.TestCase):
    def test_exec_verdicts_compare_against_the_targets(self):
        samples = {
            "C posix_spawn loop": [{"net_tasks_per_s": 1000.0}],
            "taskfarm": [{"net_tasks_per_s": 950.0}],
            "GNU parallel": [{"net_tasks_per_s": 125.0}],
        }
        systems = {name: alternate.summarize([dict(s[0], gross_tasks_per_s=1.0, cpu_s_per_task=0.001)])
                   for name, s in samples.items()}
        section = {"tasks": 10, "concurrency": 2, "rounds": 1, "fewer_tasks": {}, "one_round": [],
                   "capture off": {"systems": systems, "samples": samples}}
        summary = []
        report._exec_tables(section, summary)
        verdicts = {row["target"]: (round(row["measured"], 3), row["verdict"]) for row in summary}
        self.assertEqual(verdicts["exec, capture off: taskfarm ≥ 0.9× C posix_spawn loop"], (0.95, "met"))
        self.assertEqual(verdicts["exec, capture off: taskfarm ≥ 8.0× GNU parallel"], (7.6, "missed"))


if __name__ == "__main__":
    unittest.main()


class SimulationTests(unittest.TestCase):
    def test_lines_give_microseconds_per_task_and_flatness(self):
        text = ("workers=10 tasks=200 slots=1 rounds=21 us_per_task=7.5\n"
                "workers=10000 tasks=200 slots=1 rounds=9 us_per_task=15.0\nflatness=2.0\n")
        parsed = simulate.parse(text)
        self.assertEqual(parsed["workers"][10]["us_per_task"], 7.5)
        self.assertEqual(parsed["workers"][10000]["rounds"], 9)
        self.assertAlmostEqual(parsed["flatness"], 2.0)

    def test_flatness_beyond_two_is_missed_and_the_rows_are_listed(self):
        summary = []
        section = {"workers": {10: {"tasks": 200, "rounds": 21, "us_per_task": 5.0},
                               10000: {"tasks": 200, "rounds": 9, "us_per_task": 11.0}},
                   "flatness": 2.2, "repeats": 1, "command": "scheduler-sim"}
        lines = report._simulate_table(section, summary)
        self.assertEqual(summary[0]["verdict"], "missed")
        self.assertTrue(any("| 10,000 | 200 | 9 | 11.00 |" in line for line in "\n".join(lines).splitlines()))


class QueuedTests(unittest.TestCase):
    def test_queue_ratio_and_submit_bytes_get_verdicts(self):
        summary = []
        row = {"tasks_per_s": 1000.0, "cpu_us_per_task": [100.0, 10.0, 90.0, 95.0]}
        section = {"dispatch": {"window_s": 2.0, "rounds": 1, "5000": row,
                                "1000000": dict(row, tasks_per_s=850.0), "ratio": 0.85, "cpu_ratio_rank0": 1.0},
                   "submit": {"procs": 1000000, "all": {"max_rss_kib": 26000.0}, "elapsed_s": 100.0, "bytes_per_proc": 1.0}}
        report._queued_tables(section, summary)
        self.assertEqual([row["verdict"] for row in summary], ["missed", "met"])
