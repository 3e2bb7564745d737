"""Alternating rounds: every system runs once per round, in the same order, so that each pair
is measured side by side (A B A B ...) on this shared, noisy machine; results are medians."""
import statistics
import sys
from typing import Callable, Dict, List, Optional, Tuple


def median(values: List[float]) -> Optional[float]:
    """The median of the values, or None when there are none."""
    return statistics.median(values) if values else None


def run_rounds(rounds: int, systems: Dict[str, Callable[[], Dict[str, float]]],
               label: str, only_first: Tuple[str, ...] = ()) -> Dict[str, List[Dict[str, float]]]:
    """Calls each system's measuring function once per round, in order, `rounds` times (systems
    named in `only_first`: in the first round only, for the very slow).
    Returns each system's list of per-round figure dictionaries (same round order).
    A system that raises is reported and dropped from later rounds, never faked."""
    samples: Dict[str, List[Dict[str, float]]] = {name: [] for name in systems}
    failed: Dict[str, str] = {}
    for round_index in range(rounds):
        for name, run_once in systems.items():
            if name in failed or (round_index > 0 and name in only_first):
                continue
            print(f"  [{label}] round {round_index + 1}/{rounds}: {name}", file=sys.stderr, flush=True)
            try:
                samples[name].append(run_once())
            except Exception as error:  # a broken system is reported, not faked
                failed[name] = str(error)
                print(f"  [{label}] {name} failed: {error}", file=sys.stderr, flush=True)
    for name, reason in failed.items():
        samples[name] = [{"error": reason}]  # type: ignore[dict-item]
    return samples


def summarize(samples: List[Dict[str, float]]) -> Dict[str, object]:
    """Per-figure medians of one system's rounds, plus the raw rounds."""
    if samples and "error" in samples[0]:
        return {"error": samples[0]["error"]}
    keys = {key for sample in samples for key in sample}
    return {"median": {key: median([s[key] for s in samples if key in s]) for key in sorted(keys)},
            "rounds": samples}


def ratio_of_rounds(numerator: List[Dict[str, float]], denominator: List[Dict[str, float]],
                    key: str) -> Optional[float]:
    """Median over rounds of numerator[key] / denominator[key], pairing the same round, so a
    slow spell of the machine hits both sides of each ratio."""
    pairs = [(a[key], b[key]) for a, b in zip(numerator, denominator)
             if key in a and key in b and b[key]]
    return median([a / b for a, b in pairs])
