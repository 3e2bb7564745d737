#!/usr/bin/env python3
"""One task of the sweep: the period of a nonlinear pendulum at one amplitude.

Integrates theta'' = -(g/L) sin(theta) from rest at theta0 with classical RK4, finds the
first zero crossing of theta (a quarter period) by interpolation, and writes the period
to a result file. Standard library only.

usage: pendulum.py --amplitude-deg A --out FILE [--dt SECONDS]
"""
import argparse
import math
import os
import socket


def quarter_period(theta0, dt, omega0=1.0):
    """Time for theta to fall from theta0 (at rest) to 0, in units where g/L = omega0^2."""
    def acceleration(theta):
        return -omega0 * omega0 * math.sin(theta)

    t, theta, velocity = 0.0, theta0, 0.0
    while True:
        k1t, k1v = velocity, acceleration(theta)
        k2t, k2v = velocity + 0.5 * dt * k1v, acceleration(theta + 0.5 * dt * k1t)
        k3t, k3v = velocity + 0.5 * dt * k2v, acceleration(theta + 0.5 * dt * k2t)
        k4t, k4v = velocity + dt * k3v, acceleration(theta + dt * k3t)
        new_theta = theta + dt / 6.0 * (k1t + 2 * k2t + 2 * k3t + k4t)
        new_velocity = velocity + dt / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
        if new_theta <= 0.0:
            # Near the crossing theta'' ~ 0, so a cubic Hermite step is very accurate;
            # solve for the root by bisection on the Hermite interpolant.
            lo, hi = 0.0, 1.0
            for _ in range(60):
                s = 0.5 * (lo + hi)
                h00 = 2 * s**3 - 3 * s**2 + 1
                h10 = s**3 - 2 * s**2 + s
                h01 = -2 * s**3 + 3 * s**2
                h11 = s**3 - s**2
                value = h00 * theta + h10 * dt * velocity + h01 * new_theta + h11 * dt * new_velocity
                if value > 0:
                    lo = s
                else:
                    hi = s
            return t + 0.5 * (lo + hi) * dt
        t, theta, velocity = t + dt, new_theta, new_velocity


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--amplitude-deg", type=float, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--dt", type=float, default=2e-4)
    args = parser.parse_args()
    if not 0 < args.amplitude_deg < 180:
        parser.error("the amplitude must be between 0 and 180 degrees")
    theta0 = math.radians(args.amplitude_deg)
    period = 4.0 * quarter_period(theta0, args.dt)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    temporary = args.out + ".tmp"
    with open(temporary, "w") as result:
        result.write(f"amplitude_deg {args.amplitude_deg!r}\n")
        result.write(f"period {period!r}\n")
        result.write(f"host {socket.gethostname()}\n")
        result.write(f"task_index {os.environ.get('TASKFARM_TASK_INDEX', '?')}\n")
    os.replace(temporary, args.out)
    print(f"amplitude {args.amplitude_deg:g} deg: period {period:.9f} (small-angle 2*pi = {2 * math.pi:.9f})")


if __name__ == "__main__":
    main()
