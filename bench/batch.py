"""Batch evaluation, whole process: jh --at-file/--output against JAX jit(vmap(jacfwd)), .npy to .npy.

    python bench/batch.py [--points 1000000] [--runs 5]

Both sides do the same work from a fresh process: read the points from a .npy file, evaluate the
Jacobian of [x**2 + y, x*y, sin(x)*exp(y)] at every row in float64, write a .npy file of shape
(points, 3, 2). jh runs from this checkout (``python -m jhcli``); JAX runs ``bench/jax_batch.py``
(skipped when JAX is not installed). Runs alternate between the two; the table gives the median
wall-clock time of each, the ratio, and whether the two outputs agree (allclose, rtol 1e-12).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = "x**2+y, x*y, sin(x)*exp(y)"


def timed(command: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    try:
        import jax  # noqa: F401

        have_jax = True
    except ImportError:
        have_jax = False
    with tempfile.TemporaryDirectory() as folder:
        points = Path(folder, "points.npy")
        np.save(points, np.random.default_rng(0).uniform(-2, 2, (args.points, 2)))
        jh_out, jax_out = Path(folder, "jh.npy"), Path(folder, "jax.npy")
        jh = [sys.executable, "-m", "jhcli", "jacobian", FUNCTIONS, "--at-file", str(points)]
        jh += ["--output", str(jh_out)]
        jx = [sys.executable, str(ROOT / "bench" / "jax_batch.py"), str(points), str(jax_out)]
        times: dict[str, list[float]] = {"jh": [], "jax": []}
        for _ in range(args.runs):
            times["jh"].append(timed(jh))
            if have_jax:
                times["jax"].append(timed(jx))
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"{args.points:,} points, median of {args.runs} whole-process runs, load average {load:.2f}\n")
        print("| program | median (s) | runs (s) |")
        print("| --- | --- | --- |")
        for name, values in times.items():
            if values:
                runs = ", ".join(f"{v:.2f}" for v in values)
                print(f"| {name} | {statistics.median(values):.2f} | {runs} |")
        if have_jax:
            a, b = np.load(jh_out), np.load(jax_out)
            same = a.shape == b.shape and np.allclose(a, b, rtol=1e-12, atol=0)
            ratio = statistics.median(times["jax"]) / statistics.median(times["jh"])
            print(f"\nJAX / jh: {ratio:.2f}; outputs {a.shape} agree to rtol 1e-12: {same}")


if __name__ == "__main__":
    main()
