"""How promptly does ``--timeout`` stop a runaway step, and what would a worker process cost?

jh enforces its per-step time limit with ``SIGALRM`` (``jhcli.limits.step``). The alternative is
to run each step in a worker process and kill it at the deadline. This script measures both sides:

1. **Signal, stopping latency.** Three steps that really run away (each still running after
   ``--verify`` seconds): ``simplify`` of a mixed Hessian entry, ``solve`` of a polynomial gradient
   system, and the eigenvalues of a dense symbolic 6x6 matrix. Each runs under
   ``time_budget(BUDGET)`` + ``step(...)``; the overshoot is the time from the deadline until
   ``StepTimeout`` has reached the caller (median and maximum over ``--runs`` runs). Also one
   long call into C (a big-integer product): a signal is handled between bytecodes, or when C code
   checks for it (CPython's integer loops do; gmpy2, used by SymPy when installed, does not).
2. **Worker process, overhead per step.** A step that does almost nothing (the derivative of a
   small expression) and sends back a typical result (a 3x3 symbolic Hessian, pickled), run in a
   new process with the ``fork`` and the ``spawn`` start methods, against the same work in-process;
   and how long ``terminate()`` takes to stop a runaway worker.
3. **Steps per command**, to turn a per-step cost into a per-command one.

Usage::

    .venv/bin/python bench/timeout.py                 # 5 runs, budget 1 s (about a minute)
    .venv/bin/python bench/timeout.py --runs 9 --budget 0.5
    .venv/bin/python bench/timeout.py --verify 30     # also show that each step runs past 30 s

It prints Markdown tables (as recorded in bench/README.md).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import pickle
import platform
import statistics
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import sympy as sp  # noqa: E402

from jhcli import limits  # noqa: E402
from jhcli.errors import StepTimeout  # noqa: E402
from jhcli.limits import step, time_budget  # noqa: E402

x, y, z = sp.symbols("x y z", real=True)
F = sp.exp(sp.sin(x * y * z) ** 7 / (1 + x**2 + y**4)) * sp.tanh(x + y + z) ** 5


def _simplify() -> Any:
    return sp.simplify(sp.diff(F, x, y))


def _solve() -> Any:
    f = x**5 * y**3 + y**5 * z**2 + z**5 * x + x * y * z + x**2 - y
    return sp.solve([sp.diff(f, v) for v in (x, y, z)], [x, y, z], dict=True)


def _eigenvalues() -> Any:
    m = sp.Matrix(6, 6, lambda i, j: sp.sin(x * (i + 1)) + y ** (j + 1) + (i * j) * z)
    return m.eigenvals()


_FACTORS: list[int] = []


def _one_c_call() -> Any:
    """One bytecode that runs for seconds in C (CPython's own loops check for signals)."""
    if not _FACTORS:
        _FACTORS.extend([3**3_000_000, 7**3_000_000])  # built once, outside the measured call
    return _FACTORS[0] * _FACTORS[1]


RUNAWAY: dict[str, Callable[[], Any]] = {
    "simplify of d2f/dxdy": _simplify,
    "solve of a degree-8 gradient system": _solve,
    "eigenvalues of a dense symbolic 6x6": _eigenvalues,
}
C_CALL = ("one long C call: a product of two 2.5-million-digit integers (about 3 s)", _one_c_call)


def stop_latency(work: Callable[[], Any], budget: float) -> float | None:
    """Seconds from the deadline until StepTimeout reached us; None if the work finished."""
    start = time.monotonic()
    try:
        with time_budget(budget), step("benchmarking"):
            work()
    except StepTimeout:
        return time.monotonic() - start - budget
    return None


# -- worker process ------------------------------------------------------------------------------


def _small_step() -> Any:
    """A cheap step with a typical result: the Hessian of F (3x3 symbolic, about 2 kB pickled)."""
    return sp.hessian(F, (x, y, z))


def _child(conn: Connection) -> None:
    conn.send_bytes(pickle.dumps(_small_step()))
    conn.close()


def _runaway_child(conn: Connection) -> None:
    conn.send_bytes(pickle.dumps(_eigenvalues()))


def worker_round_trip(method: str) -> float:
    ctx = mp.get_context(method)
    start = time.monotonic()
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child,))
    process.start()
    child.close()
    pickle.loads(parent.recv_bytes())
    process.join()
    return time.monotonic() - start


def worker_kill_latency(method: str, budget: float) -> float:
    """Start a runaway worker, wait ``budget``, terminate it: seconds from the deadline until it is gone."""
    ctx = mp.get_context(method)
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_runaway_child, args=(child,))
    process.start()
    child.close()
    deadline = time.monotonic() + budget
    parent.poll(budget)
    process.terminate()
    process.join()
    return time.monotonic() - deadline


def in_process() -> float:
    start = time.monotonic()
    pickle.loads(pickle.dumps(_small_step()))
    return time.monotonic() - start


def steps_per_command() -> dict[str, int]:
    """How many ``step`` blocks a few commands enter (each would be one worker round trip)."""
    from jhcli import api

    calls = 0
    arm = limits._arm

    def counting_arm() -> None:
        nonlocal calls
        calls += 1
        arm()

    commands = {
        "jh jacobian 'x**2+y, x*y' --at 2,3": lambda: api.jacobian("x**2+y, x*y", at=["2,3"]),
        "jh hessian 'x**4+y**4-4*x*y' --at 1,1 --eig --classify": lambda: api.hessian(
            "x**4+y**4-4*x*y", at=["1,1"], eig=True, classify=True
        ),
        "jh critical 'x**4+y**4-4*x*y+1'": lambda: api.critical("x**4+y**4-4*x*y+1"),
    }
    out = {}
    limits._arm = counting_arm  # type: ignore[assignment]
    try:
        for name, run in commands.items():
            calls = 0
            run()
            out[name] = calls // 2  # _arm runs on entering and on leaving a step
    finally:
        limits._arm = arm  # type: ignore[assignment]
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--budget", type=float, default=1.0, help="time limit in seconds (default 1)")
    parser.add_argument("--verify", type=float, default=0, help="first check each step runs past this")
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()}, SymPy {sp.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs; budget {args.budget:g} s, {args.runs} runs\n"
    )

    if args.verify:
        for name, work in RUNAWAY.items():
            result = stop_latency(work, args.verify)
            print(
                f"- {name}: {'still running after' if result is not None else 'FINISHED within'} "
                f"{args.verify:g} s"
            )
        print()

    print("| runaway step (SIGALRM) | overshoot, median | overshoot, max |")
    print("| --- | --- | --- |")
    for name, work in RUNAWAY.items():
        samples = [stop_latency(work, args.budget) for _ in range(args.runs)]
        stopped = [s for s in samples if s is not None]
        if len(stopped) < len(samples):
            print(f"| {name} | finished within the budget in {len(samples) - len(stopped)} runs | |")
            continue
        print(f"| {name} | {_ms(statistics.median(stopped))} | {_ms(max(stopped))} |")
    name, work = C_CALL
    _FACTORS.extend([3**3_000_000, 7**3_000_000])
    start = time.monotonic()
    late = stop_latency(work, args.budget)
    elapsed = time.monotonic() - start
    outcome = "stopped" if late is not None else "not stopped: it finished, late,"
    print(f"| {name} | {outcome} {_ms(elapsed - args.budget)} after the deadline (1 run) | |")

    print("\n| one step of work + a 3x3 Hessian sent back | median | max |")
    print("| --- | --- | --- |")
    base = [in_process() for _ in range(args.runs)]
    print(
        f"| in-process (pickled and unpickled, as a worker would) | {_ms(statistics.median(base))} "
        f"| {_ms(max(base))} |"
    )
    for method in ("fork", "spawn"):
        if method not in mp.get_all_start_methods():
            continue
        trips = [worker_round_trip(method) for _ in range(args.runs)]
        print(f"| worker process, '{method}' | {_ms(statistics.median(trips))} | {_ms(max(trips))} |")
    size = len(pickle.dumps(_small_step()))
    print(f"\n(the pickled Hessian is {size / 1000:.0f} kB)")

    print("\n| runaway worker killed at the deadline | median | max |")
    print("| --- | --- | --- |")
    kills = [worker_kill_latency("fork", args.budget) for _ in range(args.runs)]
    print(f"| 'fork', terminate() + join() | {_ms(statistics.median(kills))} | {_ms(max(kills))} |")

    print("\n| command | steps |")
    print("| --- | --- |")
    for name, count in steps_per_command().items():
        print(f"| `{name}` | {count} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
