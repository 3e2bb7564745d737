#!/usr/bin/env python3
"""The final step of the sweep: combine every task's period and check it.

The exact period of a pendulum released from rest at amplitude theta0 is
T = 4 K(k) / omega0 with k = sin(theta0 / 2), where K is the complete elliptic integral
of the first kind, computed here by the arithmetic-geometric mean:
K(k) = pi / (2 AGM(1, sqrt(1 - k^2))).

Exits 0 when every amplitude of tasks.txt has a result within the tolerance, 1 otherwise.
usage: combine.py TASKS RESULTS_DIR
"""
import math
import re
import sys


def agm(a, b):
    while abs(a - b) > 1e-15 * a:
        a, b = 0.5 * (a + b), math.sqrt(a * b)
    return a


def exact_period(amplitude_deg):
    k = math.sin(math.radians(amplitude_deg) / 2)
    return 4 * (math.pi / (2 * agm(1.0, math.sqrt(1 - k * k))))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tasks, results = sys.argv[1], sys.argv[2]
    wanted = []
    with open(tasks) as listing:
        for line in listing:
            match = re.search(r"--amplitude-deg (\S+) --out (\S+)", line)
            if match:
                wanted.append((float(match.group(1)), match.group(2)))
    failures = 0
    rows = []
    for amplitude, path in wanted:
        try:
            values = dict(line.split(" ", 1) for line in open(path).read().splitlines())
            period = float(values["period"])
        except (OSError, KeyError, ValueError) as error:
            print(f"MISSING amplitude {amplitude:g}: {path}: {error}")
            failures += 1
            continue
        exact = exact_period(amplitude)
        relative = abs(period - exact) / exact
        status = "ok" if relative < 1e-6 else "WRONG"
        failures += status != "ok"
        rows.append(f"{amplitude:8.1f} {period:14.9f} {exact:14.9f} {relative:10.2e} {status}")
    with open(f"{results}/summary.txt", "w") as summary:
        header = "amplitude  period(RK4)     period(exact)  rel.error"
        summary.write(header + "\n" + "\n".join(rows) + "\n")
    print("\n".join([ "amplitude  period(RK4)     period(exact)  rel.error"] + rows))
    if failures or not wanted:
        print(f"sweep check FAILED: {failures} of {len(wanted)} amplitudes missing or wrong")
        return 1
    print(f"sweep check passed: {len(wanted)} amplitudes agree with the exact period to 1e-6")
    return 0


if __name__ == "__main__":
    sys.exit(main())
